/**
 * README, "Onboarding a client": the commands a client runs, run with gcloud against the enforcing
 * sandbox after a real plan + apply of a client with `uploaders` and `subscribers`. No key is made:
 * the uploader impersonates the client's service account (gcloud calls IAM Credentials
 * generateAccessToken, which needs roles/iam.serviceAccountTokenCreator on that account), and the
 * subscriber attaches a subscription in its own project to the client's topic.
 *
 * In Google Cloud each person runs `gcloud auth login` first; here `--access-token-file` holds the
 * sandbox token of that person (`sandbox:<member>`), the only difference from the README commands.
 * gcloud takes 2-4 s a call, so the calls run concurrently; skipped where gcloud is not installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planAndApply } from '../../src/apply/index.ts';
import { gcloudOverrides, tokenFor } from '../../src/local/index.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { quickClock, withSandbox } from './sandbox-env.ts';
import { gcloudPath, inSequence, skipWithoutGcloud } from '../support/gcloud.ts';

const UPLOADER = 'user:uploader@acme.example.com';
const CLIENT_PROJECT = 'acme-ops-3321';
const SUBSCRIBER = `serviceAccount:status-reader@${CLIENT_PROJECT}.iam.gserviceaccount.com`;
const ACME = `acme-corp@${DEV.project}.iam.gserviceaccount.com`;
const topic = (c: string) => `projects/${DEV.project}/topics/batch-scoring-${c}-outputs`;

test('onboarding: an uploader uploads and lists as the client without a key; a subscriber attaches a subscription to its topic only', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  await withSandbox({}, async (env) => {
    const acme = client('acme-corp', { uploaders: [UPLOADER], subscribers: [SUBSCRIBER] });
    const outcome = await planAndApply({ documents: documentsFor([acme, client('globex-inc')]), apis: env.apis, clock: quickClock });
    assert.ok(outcome.status === 'applied' && outcome.result.ok, JSON.stringify(outcome.status === 'applied' && outcome.result.outcomes.filter((o) => o.status !== 'done')));
    // The client's own project, where its subscriber may create subscriptions (the client sets this up, not us).
    await env.apis.projectIam.setPolicy(CLIENT_PROJECT, {
      version: 3,
      etag: (await env.apis.projectIam.getPolicy(CLIENT_PROJECT)).etag,
      bindings: [{ role: 'roles/pubsub.editor', members: [SUBSCRIBER] }],
    });

    const dir = await mkdtemp(join(tmpdir(), 'onboarding-'));
    try {
      const gcloud = (args: string[]) =>
        new Promise<{ ok: boolean; stdout: string; stderr: string }>((resolve) => {
          execFile('gcloud', args, { env: { ...process.env, CLOUDSDK_CONFIG: join(dir, 'config'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1' }, timeout: 90_000 }, (error, stdout, stderr) =>
            resolve({ ok: !error, stdout, stderr }),
          );
        });
      const uploader = join(dir, 'uploader.token');
      const subscriber = join(dir, 'subscriber.token');
      await writeFile(uploader, tokenFor(UPLOADER));
      await writeFile(subscriber, tokenFor(SUBSCRIBER));
      const input = join(dir, 'scores.jsonl');
      await writeFile(input, '{"id": 1}\n');
      const used = ['storage', 'iamcredentials', 'pubsub'];
      for (const o of gcloudOverrides(env.sandbox).filter((x) => used.includes(x.api))) {
        const set = await gcloud(['config', 'set', `api_endpoint_overrides/${o.api}`, o.url]);
        assert.ok(set.ok, set.stderr);
      }
      const as = (token: string) => `--access-token-file=${token}`;
      const impersonate = `--impersonate-service-account=${ACME}`;
      const inputs = `gs://${DEV.bucket}/scoring/acme-corp/inputs/`;
      // README: gcloud storage cp scores.jsonl gs://BUCKET/PRODUCT/CLIENT/inputs/ --impersonate-service-account=CLIENT@PROJECT.iam.gserviceaccount.com
      const upload = await gcloud(['storage', 'cp', input, inputs, impersonate, as(uploader)]);
      const [list, toOutputs, toOther, asThemselves, subscribe, subscribeOther] = await inSequence([
        // README: gcloud storage ls 'gs://BUCKET/PRODUCT/CLIENT/**' --impersonate-service-account=… (the
        // wildcard keeps every listing request's prefix inside the client's folder).
        () => gcloud(['storage', 'ls', `gs://${DEV.bucket}/scoring/acme-corp/**`, impersonate, as(uploader)]),
        () => gcloud(['storage', 'cp', input, `gs://${DEV.bucket}/scoring/acme-corp/outputs/forged.jsonl`, impersonate, as(uploader)]),
        () => gcloud(['storage', 'cp', input, `gs://${DEV.bucket}/scoring/globex-inc/inputs/`, impersonate, as(uploader)]),
        () => gcloud(['storage', 'cp', input, inputs, as(uploader)]),
        // README: gcloud pubsub subscriptions create acme-status --project=CLIENT_PROJECT --topic=projects/PROJECT/topics/batch-PRODUCT-CLIENT-outputs
        () => gcloud(['pubsub', 'subscriptions', 'create', 'acme-status', `--project=${CLIENT_PROJECT}`, `--topic=${topic('acme-corp')}`, as(subscriber)]),
        () => gcloud(['pubsub', 'subscriptions', 'create', 'globex-status', `--project=${CLIENT_PROJECT}`, `--topic=${topic('globex-inc')}`, as(subscriber)]),
      ]);
      assert.ok(upload.ok, upload.stderr);
      assert.is(env.sandbox.state.readObjectText(DEV.bucket, 'scoring/acme-corp/inputs/scores.jsonl'), '{"id": 1}\n');
      assert.ok(list.ok, list.stderr);
      assert.match(list.stdout, `gs://${DEV.bucket}/scoring/acme-corp/inputs/scores.jsonl`);
      assert.not.ok(toOutputs.ok, 'no upload outside inputs/');
      assert.match(toOutputs.stderr, 'storage.objects.create');
      assert.not.ok(toOther.ok, "no upload into another client's folder");
      assert.not.ok(asThemselves.ok, 'the uploader holds nothing but the right to act as the client');
      assert.ok(subscribe.ok, subscribe.stderr);
      assert.ok(env.sandbox.state.get('subscriptions', `projects/${CLIENT_PROJECT}/subscriptions/acme-status`));
      assert.not.ok(subscribeOther.ok, "no subscription on another client's topic");
      assert.match(subscribeOther.stderr, 'pubsub.topics.attachSubscription');
      assert.ok((env.sandbox.stats.byMethod()['iamcredentials.serviceAccounts.generateAccessToken'] ?? 0) >= 1, 'gcloud minted tokens; no key exists');
      assert.not.ok(
        Object.keys(env.sandbox.stats.byMethod()).some((m) => /keys/i.test(m)),
        'no service account key was asked for',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test.run();
