/**
 * Etags of bytes fields (IAM policies, service accounts) are compared as bytes: a client may send
 * back the URL-safe base64 of the etag it read (gcloud does), with or without padding.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sameEtag } from '../../src/local/google-shapes.ts';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { call, etagWithSlashOrPlus, PROJECT } from './helpers.ts';

/** What gcloud's apitools does to a bytes field it read (decode, then base64.urlsafe_b64encode, padded). */
const urlSafe = (etag: string) => etag.replace(/\+/g, '-').replace(/\//g, '_');
const unpadded = (etag: string) => etag.replace(/=+$/, '');

test('sameEtag: the same bytes match in either alphabet, padded or not; other bytes and non-base64 text do not', () => {
  // 0xfb 0xff 0xbf is "+/+/" in the standard alphabet and "-_-_" in the URL-safe one.
  const standard = Buffer.from([0xfb, 0xff, 0xbf, 0x01]).toString('base64');
  assert.is(standard, '+/+/AQ==');
  assert.ok(sameEtag(standard, '-_-_AQ=='));
  assert.ok(sameEtag(standard, '-_-_AQ'));
  assert.ok(sameEtag('+/+/AQ', standard));
  assert.ok(sameEtag('-/+_AQ==', standard), 'the two alphabets mixed still decode to the same bytes');
  assert.not.ok(sameEtag(standard, '-_-_AA=='), 'different bytes');
  assert.not.ok(sameEtag(standard, '+/+/'), 'a prefix is not the same etag');
  assert.not.ok(sameEtag('ACAB', 'ACAB!'), 'not base64');
  assert.not.ok(sameEtag('ACAB', 'A'), 'a single leftover character is not base64');
  assert.not.ok(sameEtag('ACAB', undefined));
  assert.not.ok(sameEtag('ACAB', 12));
  assert.ok(sameEtag('BwXhb/+8Wkc=', 'BwXhb_-8Wkc='), 'a Google-style policy etag');
});

let sandbox: Sandbox;
test.before(async () => {
  sandbox = await startSandbox();
});
test.after(async () => {
  await sandbox.stop();
});

test('a project policy written back with the URL-safe, unpadded form of the etag read is accepted; a stale one is still 409', async () => {
  const path = `/v3/projects/${PROJECT}`;
  const bindings = [{ role: 'roles/viewer', members: ['user:alice@example.com'] }];
  const write = (etag: string) => call(sandbox, 'cloudresourcemanager', 'POST', `${path}:setIamPolicy`, { policy: { etag, bindings } });
  const etag = await etagWithSlashOrPlus(write, 'ACAB');
  const sent = unpadded(urlSafe(etag));
  assert.is.not(sent, etag);
  const accepted = await write(sent);
  assert.is(accepted.status, 200, JSON.stringify(accepted.body));
  const stale = await write(sent);
  assert.is(stale.status, 409);
  assert.is(stale.body.error.status, 'ABORTED');
});

test('a secret policy written back with the URL-safe form of the etag read is accepted', async () => {
  sandbox.state.addSecretVersion(PROJECT, 'etag-secret', 'x');
  const path = `/v1/projects/${PROJECT}/secrets/etag-secret`;
  const bindings = [{ role: 'roles/secretmanager.secretAccessor', members: ['user:alice@example.com'] }];
  const write = (etag: string) => call(sandbox, 'secretmanager', 'POST', `${path}:setIamPolicy`, { policy: { etag, bindings } });
  const etag = await etagWithSlashOrPlus(write, 'ACAB');
  const accepted = await write(urlSafe(etag));
  assert.is(accepted.status, 200, JSON.stringify(accepted.body));
  assert.is((await write(urlSafe(etag))).status, 409, 'the etag changed with the write');
});

test('a service account patched with the URL-safe form of its etag is updated; a stale etag is 409', async () => {
  const created = await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'etag-account' });
  assert.is(created.status, 200);
  const patch = (etag: string, description: string) => call(sandbox, 'iam', 'PATCH', `/v1/${created.body.name}`, { serviceAccount: { etag, description }, updateMask: 'description' });
  let n = 0;
  const etag = await etagWithSlashOrPlus((e) => patch(e, `d${n++}`), created.body.etag);
  const accepted = await patch(urlSafe(etag), 'url-safe');
  assert.is(accepted.status, 200, JSON.stringify(accepted.body));
  assert.is(accepted.body.description, 'url-safe');
  assert.is((await patch(urlSafe(etag), 'stale')).status, 409);
});

test.run();
