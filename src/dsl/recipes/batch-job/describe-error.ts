/** describe_error(error): every failure reduced to the `{message, tags}` map that is published. */
import { subworkflow, type Subworkflow } from '../../builder.ts';
import { defaultTo, getType, json, mapFns } from '../../stdlib.ts';

/** The error map every failure is reduced to before publishing: `{message, tags}`. */
export function describeErrorSubworkflow(): Subworkflow<readonly ['error']> {
  return subworkflow('describe_error', ['error'] as const, (s) =>
    s
      // Errors raised by Google are maps with message and tags; a workflow may also raise a plain string.
      .switch('by_type', (v, branch) => [
        branch.when(getType(v.error).eq('map'), {
          return: { message: defaultTo(mapFns.get(v.error, 'message'), json.encodeToString(v.error)), tags: defaultTo(mapFns.get(v.error, 'tags'), []) },
        }),
        branch.when(getType(v.error).eq('string'), { return: { message: v.error, tags: [] } }),
      ])
      .return('other', (v) => ({ message: json.encodeToString(v.error), tags: [] })),
  );
}
