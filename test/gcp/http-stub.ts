/**
 * A scripted HTTP server on 127.0.0.1 for error-shape tests: it answers what a test tells it to, so
 * the real SDK clients show how they surface each kind of failure. (Adapter behaviour is tested
 * against the real sandbox in sandbox.test.ts.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}
export interface StubReply {
  readonly status: number;
  /** JSON-encoded unless a string. */
  readonly body?: unknown;
}

export interface Stub {
  readonly port: number;
  readonly baseUrl: string;
  readonly requests: StubRequest[];
  close(): Promise<void>;
}

export async function startStub(reply: (request: StubRequest) => StubReply): Promise<Stub> {
  const requests: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', body };
      requests.push(request);
      const r = reply(request);
      const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // The SDKs keep connections alive; close them or server.close() waits for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function googleError(code: number, status: string, message: string): StubReply {
  return { status: code, body: { error: { code, status, message } } };
}
