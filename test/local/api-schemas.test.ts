/**
 * The committed API schemas (src/local/schemas/*.json) load, say where they come from, cover every
 * sandbox route (that scripts/extract-api-schemas.ts makes them from the sources today, with gcloud:
 * api-schemas.e2e.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SANDBOX_APIS } from '../../src/local/sandbox-apis.ts';
import { API_SCHEMAS } from '../../src/local/validate-request.ts';
import { REQUEST_CONTRACTS, contractOf } from '../../src/local/request-contracts.ts';
import { testApiContext } from '../support/api-context.ts';
import { API_MODULES } from '../../src/local/index.ts';

test('every API has a committed schema with its provenance (source, version, file) and the methods its routes name', () => {
  for (const api of SANDBOX_APIS) {
    const schema = API_SCHEMAS[api];
    assert.ok(schema.provenance.length >= 1, `${api}: no provenance`);
    for (const line of schema.provenance) {
      assert.match(
        line,
        /^(@google-cloud\/[a-z-]+ \d+\.\d+\.\d+ build\/protos\/protos\.json|gcloud \d+\.\d+\.\d+ lib\/googlecloudsdk\/generated_clients\/apis\/\w+\/v\d\w*\/\w+_messages\.py)/,
        `${api}: ${line}`,
      );
    }
    assert.is(schema.generatedBy, 'scripts/extract-api-schemas.ts');
    for (const [name, contract] of Object.entries(REQUEST_CONTRACTS[api].routes)) {
      const id = 'proto' in contract.method ? contract.method.proto : contract.method.apitools;
      const method = schema.methods[id];
      assert.ok(method, `${api}.${name}: ${id} is not in src/local/schemas/${api}.json`);
      assert.ok(schema.messages[method!.request], `${api}.${name}: request message ${method!.request} missing`);
    }
    for (const message of Object.values(schema.messages)) {
      for (const [field, def] of Object.entries(message.fields)) {
        if (def.message) assert.ok(schema.messages[def.message], `${api}: ${field} refers to ${def.message}, which is not kept`);
        if (def.enum) assert.ok(schema.enums[def.enum], `${api}: ${field} refers to enum ${def.enum}, which is not kept`);
      }
    }
  }
});

test('every route the sandbox serves has a request contract, so none escapes validation', async () => {
  const context = await testApiContext();
  for (const api of SANDBOX_APIS) {
    for (const route of API_MODULES[api](context)) {
      assert.ok(contractOf(api, route.method, route.name), `${api} ${route.method} ${route.name} has no entry in src/local/request-contracts.ts`);
    }
  }
  await context.background.stop();
});

test.run();
