/**
 * Watching executions over the Workflow Executions REST API
 * (https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions):
 * `npm start` waits for the execution an upload started and shows its steps and outcome.
 */
export interface ExecutionView {
  readonly name: string;
  readonly state: string;
  readonly result?: string;
  readonly error?: { readonly payload?: string; readonly context?: string };
  readonly status?: { readonly currentSteps?: readonly { readonly routine?: string; readonly step?: string }[] };
  readonly argument?: string;
}

async function get(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Executions of a workflow (`projects/P/locations/L/workflows/W`), newest first, in the BASIC view. */
export async function listExecutions(base: string, workflow: string): Promise<ExecutionView[]> {
  const reply = await get(`${base.replace(/\/+$/, '')}/v1/${workflow}/executions`);
  return (reply.executions as ExecutionView[] | undefined) ?? [];
}

export async function getExecution(base: string, name: string): Promise<ExecutionView> {
  return (await get(`${base.replace(/\/+$/, '')}/v1/${name}`)) as unknown as ExecutionView;
}

/**
 * Polls until the execution is no longer ACTIVE or QUEUED (or `timeoutMs` passes), calling `onStep`
 * each time its current step changes. Returns the last record read.
 */
export async function waitForExecution(base: string, name: string, options: { timeoutMs: number; pollMs?: number; onStep?: (step: string) => void }): Promise<ExecutionView> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const execution = await getExecution(base, name);
    const step = execution.status?.currentSteps?.map((s) => `${s.routine}.${s.step}`).join(' > ') ?? '';
    if (step && step !== last) options.onStep?.(step);
    last = step || last;
    if ((execution.state !== 'ACTIVE' && execution.state !== 'QUEUED') || Date.now() > deadline) return execution;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
}
