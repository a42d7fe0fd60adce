/**
 * secrets.addVersion with SecretPayload.data_crc32c, as gcloud `secrets versions add` sends it: a
 * matching checksum is verified and reported back, a wrong one is refused and adds nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { crc32c } from '../../src/local/objects.ts';
import { call, PROJECT } from './helpers.ts';

let sandbox: Sandbox;
const SECRET = `projects/${PROJECT}/secrets/checksummed`;
const data = Buffer.from('https://hooks.example.invalid/T0/B0/X');

test.before(async () => {
  sandbox = await startSandbox();
  const created = await call(sandbox, 'secretmanager', 'POST', `/v1/projects/${PROJECT}/secrets?secretId=checksummed`, { replication: { automatic: {} } });
  assert.is(created.status, 200);
});
test.after(async () => {
  await sandbox.stop();
});

const add = (payload: Record<string, unknown>) => call(sandbox, 'secretmanager', 'POST', `/v1/${SECRET}:addVersion`, { payload });

test('a matching data_crc32c (int64 as a decimal string, as gcloud sends it, or a number) is reported as clientSpecifiedPayloadChecksum', async () => {
  // The CRC32C of "v2", the request gcloud 528 sent for `printf v2 | gcloud secrets versions add`.
  assert.is(crc32c(Buffer.from('v2')), 4130327329);
  const asString = await add({ data: data.toString('base64'), dataCrc32c: String(crc32c(data)) });
  assert.is(asString.status, 200, JSON.stringify(asString.body));
  assert.is(asString.body.clientSpecifiedPayloadChecksum, true);
  const asNumber = await add({ data: data.toString('base64'), dataCrc32c: crc32c(data) });
  assert.is(asNumber.body.clientSpecifiedPayloadChecksum, true);
  const without = await add({ data: data.toString('base64') });
  assert.is(without.status, 200);
  assert.is(without.body.clientSpecifiedPayloadChecksum, false, 'no checksum sent: the server computes its own, and says none was received');
  const access = await call(sandbox, 'secretmanager', 'GET', `/v1/${asString.body.name}:access`);
  assert.is(access.body.payload.dataCrc32c, String(crc32c(data)));
});

test('a data_crc32c that does not match the data is 400 INVALID_ARGUMENT and adds no version; a non-integer one too', async () => {
  const versions = () => Object.keys(sandbox.state.all('secretVersions')).filter((n) => n.startsWith(`${SECRET}/`)).length;
  const before = versions();
  const wrong = await add({ data: data.toString('base64'), dataCrc32c: String(crc32c(data) ^ 1) });
  assert.is(wrong.status, 400);
  assert.is(wrong.body.error.status, 'INVALID_ARGUMENT');
  assert.match(wrong.body.error.message, /data_crc32c/);
  const notAnInteger = await add({ data: data.toString('base64'), dataCrc32c: 'abc' });
  assert.is(notAnInteger.status, 400);
  assert.is(versions(), before);
});

test.run();
