/**
 * Google API URLs seen from inside the sandbox: what a Cloud Scheduler job's httpTarget or a
 * workflow's http.* call names as `https://SERVICE.googleapis.com/PATH` is served here by the
 * sandbox's own server for SERVICE, at the same path.
 */

/** `https://workflowexecutions.googleapis.com/v1/...` → `http://127.0.0.1:PORT/v1/...`; undefined for any other host. */
export function sandboxUrl(uri: string, endpoints: Readonly<Record<string, string>>): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const match = /^([a-z0-9]+)\.googleapis\.com$/.exec(url.hostname);
  const base = match ? endpoints[match[1]!] : undefined;
  return base ? `${base.replace(/\/+$/, '')}${url.pathname}${url.search}` : undefined;
}

/** The `*.googleapis.com` hosts the sandbox serves. */
export function servedGoogleHosts(endpoints: Readonly<Record<string, string>>): string[] {
  return Object.keys(endpoints).map((api) => `${api}.googleapis.com`);
}

export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]', '::1'];
