/**
 * The default Batch runner: what the seed's sample container does, done against the sandbox's
 * storage. The container's `commands` carry an input gs:// URI and an output gs:// URI (the first two
 * gs:// arguments, in that order); the text of the input is upper-cased into the output. An input
 * ending in `/` is a prefix: every object under it is processed into the output prefix, keeping its
 * relative name.
 */
import type { BatchRunner } from './context.ts';
import type { SandboxState } from './state.ts';

export interface GsUri {
  readonly bucket: string;
  readonly object: string;
}

export function parseGsUri(uri: string): GsUri | undefined {
  const match = /^gs:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return match ? { bucket: match[1]!, object: match[2]! } : undefined;
}

/** Every string argument of every container runnable, in order (commands, then entrypoint). */
function containerArguments(job: Readonly<Record<string, any>>): string[] {
  const out: string[] = [];
  for (const group of job.taskGroups ?? []) {
    for (const runnable of group.taskSpec?.runnables ?? []) {
      const container = runnable.container;
      if (!container) continue;
      for (const arg of container.commands ?? []) if (typeof arg === 'string') out.push(arg);
    }
  }
  return out;
}

/**
 * gs:// URIs in the arguments: an argument that is a URI is taken whole (object names may hold
 * spaces); one embedded in a flag (`--input=gs://...`) ends at whitespace or a quote.
 */
function gsUris(args: readonly string[]): string[] {
  return args.flatMap((arg) => (arg.startsWith('gs://') ? [arg] : (arg.match(/gs:\/\/[^\s'"]+/g) ?? [])));
}

function upperCaseObject(state: SandboxState, from: GsUri, to: GsUri): void {
  const text = state.readObjectText(from.bucket, from.object)!;
  state.putObject(to.bucket, to.object, text.toUpperCase(), state.getObject(from.bucket, from.object)?.contentType);
}

export const upperCaseRunner: BatchRunner = async (job, state) => {
  const uris = gsUris(containerArguments(job));
  if (uris.length < 2) {
    return { state: 'FAILED', message: `The container's commands need an input and an output gs:// URI; found ${uris.length}.` };
  }
  const input = parseGsUri(uris[0]!)!;
  const output = parseGsUri(uris[1]!)!;
  if (input.object === '' || input.object.endsWith('/')) {
    const objects = state.listObjects(input.bucket, input.object);
    if (objects.length === 0) return { state: 'FAILED', message: `No input objects under ${uris[0]}.` };
    const outPrefix = output.object === '' || output.object.endsWith('/') ? output.object : `${output.object}/`;
    for (const object of objects) {
      upperCaseObject(state, { bucket: input.bucket, object: object.name }, { bucket: output.bucket, object: outPrefix + object.name.slice(input.object.length) });
    }
    return { state: 'SUCCEEDED', message: `Processed ${objects.length} object(s) from ${uris[0]} into ${uris[1]}.` };
  }
  if (!state.getObject(input.bucket, input.object)) return { state: 'FAILED', message: `Input ${uris[0]} not found.` };
  upperCaseObject(state, input, output);
  return { state: 'SUCCEEDED', message: `Processed ${uris[0]} into ${uris[1]}.` };
};
