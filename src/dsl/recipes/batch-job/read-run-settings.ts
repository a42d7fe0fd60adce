/** read_run_settings(client): the client's run-settings object, or `{}` when it has none. */
import { retry, subworkflow, type Subworkflow } from '../../builder.ts';
import { storage } from '../../connectors.ts';
import { concat, or, type Expr } from '../../expr.ts';
import { defaultTo, getType, json, mapFns, sys, text } from '../../stdlib.ts';
import type { BatchRecipeOptions } from './common.ts';

/** The object name of a client's run settings, from the `{client}` template. */
function settingsObjectName(template: string, client: Expr<string>): Expr<string> {
  const parts = template.split('{client}');
  if (parts.length !== 2) throw new Error(`internal: settingsObject must contain {client} exactly once: ${template}`);
  return concat(parts[0]!, client, parts[1]!);
}

/**
 * read_run_settings(client) → the client's run settings map, or `{}` when there is no settings
 * object (HTTP 404): then the product defaults apply, nothing is notified, no tags are added. Any
 * other error is raised, so the run fails like on any API error.
 */
export function readRunSettingsSubworkflow(options: BatchRecipeOptions): Subworkflow<readonly ['client']> {
  return subworkflow('read_run_settings', ['client'] as const, (s) =>
    s
      .assign('locate_settings', (v) => ({ bucket: sys.getEnv(options.env.bucket), object: settingsObjectName(options.settingsObject, v.client) }))
      .try(
        'read_settings_object',
        (t) =>
          t.call(
            'get_settings_object',
            // The connector puts `object` into the URL path as given: the `/` in the name must be encoded.
            (v) => storage.objects.get({ bucket: v.bucket, object: text.urlEncode(v.object), alt: 'media' }),
            { result: 'content' },
          ),
        {
          retry: retry.httpDefault,
          except: {
            as: 'read_error',
            steps: (e) =>
              e.switch('no_settings', (v, branch) => [branch.when(defaultTo(mapFns.get(v.read_error, 'code'), 0).eq(404), { return: {} })]).raise('settings_unreadable', (v) => v.read_error),
          },
        },
      )
      // A JSON object comes back parsed; stored with another content type it comes back as text.
      .switch('parse_settings', (v, branch) => [
        branch.when(or(getType(v.content).eq('string'), getType(v.content).eq('bytes')), {
          steps: (d) => d.assign('decode_settings', (w) => ({ content: json.decode(w.content) })),
        }),
      ])
      .switch('require_settings_map', (v, branch) => [branch.when(getType(v.content).eq('map'), { return: v.content })])
      .raise('settings_not_a_map', (v) => ({ message: concat('run settings gs://', v.bucket, '/', v.object, ' are not a JSON object'), tags: ['ValueError'] })),
  );
}
