/**
 * Reading what a workflow published: a subscription and a pull, over Pub/Sub's REST API, which both
 * Google's emulator and the sandbox's own topics serve. Used by `npm start` to show the status
 * message that arrived on the client's topic.
 */
export interface PulledMessage {
  readonly data: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageId: string;
}

async function call(url: string, method: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Creates (or reuses) a pull subscription; messages published before it exists are not kept. */
export async function subscribe(pubsubBase: string, topic: string, subscriptionId: string): Promise<string> {
  const project = /^projects\/([^/]+)\//.exec(topic)?.[1];
  if (!project) throw new Error(`not a topic name: ${topic}`);
  const name = `projects/${project}/subscriptions/${subscriptionId}`;
  try {
    await call(`${pubsubBase.replace(/\/+$/, '')}/v1/${name}`, 'PUT', { topic, ackDeadlineSeconds: 10 });
  } catch (error) {
    if (!/HTTP 409/.test((error as Error).message)) throw error;
  }
  return name;
}

/** Pulls and acknowledges what is waiting; JSON payloads are decoded. */
export async function pullAll(pubsubBase: string, subscription: string, maxMessages = 10): Promise<PulledMessage[]> {
  const base = pubsubBase.replace(/\/+$/, '');
  const reply = await call(`${base}/v1/${subscription}:pull`, 'POST', { maxMessages, returnImmediately: true });
  const received = (reply.receivedMessages as { ackId: string; message: { data?: string; attributes?: Record<string, string>; messageId: string } }[] | undefined) ?? [];
  if (received.length > 0) await call(`${base}/v1/${subscription}:acknowledge`, 'POST', { ackIds: received.map((r) => r.ackId) });
  return received.map(({ message }) => {
    const text = Buffer.from(message.data ?? '', 'base64').toString('utf8');
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: shown as text
    }
    return { data, attributes: message.attributes ?? {}, messageId: message.messageId };
  });
}
