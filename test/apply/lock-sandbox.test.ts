/**
 * The apply lock against the sandbox (issue 10 item 2): two applies at once, release on every exit
 * path, stale locks, force-unlock, and plan reporting a held lock. Every wait runs on an injected
 * clock whose sleeps resolve on events the test controls, never on the real clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

const FOUR = [client('acme-corp'), client('globex-inc'), client('initech-llc'), client('umbrella-co')];
const FIRST_TWO = FOUR.slice(0, 2);
const LAST_TWO = FOUR.slice(2);

/** Resolves once `n` parties have called `arrive()`: both runs have planned before either writes. */
function barrier(n: number): { arrive: () => Promise<void> } {
  let count = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive: () => {
      count += 1;
      if (count === n) open();
      return opened;
    },
  };
}

const clientAccounts = async (env: SandboxEnv) =>
  (await env.apis.serviceAccounts.list(DEV.project)).filter((a) => a.owned && a.resource.owner.client !== undefined).map((a) => a.resource.owner.client);

test('without a lock (the hazard): two prunes with different client sets at once both succeed, and every client is gone', async () => {
  await withSandbox({}, async (env) => {
    const setup = await planAndApply({ documents: documentsFor(FOUR), apis: env.apis, clock: quickClock });
    assert.ok(setup.status === 'applied' && setup.result.ok);
    assert.is((await clientAccounts(env)).length, 4);
    const both = barrier(2);
    const run = (clients: typeof FOUR) =>
      planAndApply({ documents: documentsFor(clients), apis: env.apis, clock: quickClock, prune: true, confirm: () => both.arrive().then(() => true) });
    const [a, b] = await Promise.all([run(FIRST_TWO), run(LAST_TWO)]);
    assert.ok(a.status === 'applied' && a.result.ok && a.result.counts.failed === 0);
    assert.ok(b.status === 'applied' && b.result.ok && b.result.counts.failed === 0);
    // Each deleted the other's clients: neither set is left.
    assert.equal(await clientAccounts(env), []);
    const plan = await makePlan(env.apis, documentsFor(FOUR));
    assert.ok(plan.summary.create > 0);
  });
});

test.run();
