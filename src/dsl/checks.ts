/**
 * Generate-time checks for what the types cannot see. Every problem is collected (none stops the
 * walk) with a location inside the workflow (`main.steps[4] create_job.next`) and a fix.
 * Limits are Google's: https://cloud.google.com/workflows/quotas#resource_limits
 */
import { ID_RULES, violates } from '../names/naming.ts';
import { walkSubworkflow } from './check-steps.ts';
import { isIdentifier } from './expr.ts';
import { type DslProblem, LIMITS } from './problems.ts';
import type { SubworkflowIR } from './steps.ts';

export { type DslProblem, LIMITS } from './problems.ts';

export function checkWorkflowId(id: string, path = 'name'): DslProblem[] {
  if (!violates(id, ID_RULES.workflowId)) return [];
  return [
    {
      path,
      message: `"${id}" is not a valid workflow id`,
      fix: 'use 1-64 characters: a letter first, then letters, digits, "-" or "_", ending with a letter or digit',
    },
  ];
}

export function checkSourceSize(name: string, yamlText: string): readonly DslProblem[] {
  const bytes = Buffer.byteLength(yamlText, 'utf8');
  if (bytes <= LIMITS.sourceBytes) return [];
  return [
    {
      path: `generated/workflows/${name}.yaml`,
      message: `the workflow source is ${bytes} bytes, over Google's limit of ${LIMITS.sourceBytes} bytes (128 KB)`,
      fix: 'move repeated steps into subworkflows, or split the workflow into smaller ones',
    },
  ];
}

/**
 * Expressions longer than Google accepts, found in the rendered document (where they have their final
 * text: quoting and escapes included). Paths are those of the rendered YAML, e.g.
 * `notify.steps[0].compose.assign[0].text`.
 */
export function checkExpressionLengths(rendered: unknown): DslProblem[] {
  const problems: DslProblem[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (value.startsWith('${') && value.length > LIMITS.expressionChars) {
        problems.push({
          path,
          message: `an expression of ${value.length} characters, over Google's limit of ${LIMITS.expressionChars}`,
          fix: 'compute parts of it in earlier assignments (one step may hold 50) and combine the variables',
        });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.startsWith('${')) walk(key, path ? `${path}.(key)` : '(key)');
        walk(item, path ? `${path}.${key}` : key);
      }
    }
  };
  walk(rendered, '');
  return problems;
}

/** All checks of a workflow document except its rendered size (see checkSourceSize). */
export function checkDocument(name: string, main: SubworkflowIR, subworkflows: readonly SubworkflowIR[]): DslProblem[] {
  const problems: DslProblem[] = [...checkWorkflowId(name)];
  const byName = new Map<string, SubworkflowIR>();
  for (const sub of subworkflows) {
    if (sub.name === 'main' || byName.has(sub.name)) {
      problems.push({ path: sub.name, message: `subworkflow name "${sub.name}" is used twice`, fix: 'give each subworkflow its own name (main is reserved)' });
    } else if (!isIdentifier(sub.name)) {
      problems.push({ path: sub.name, message: `"${sub.name}" is not a valid subworkflow name`, fix: 'use letters, digits and underscores, starting with a letter' });
    }
    byName.set(sub.name, sub);
  }
  if (main.params.length > 1) problems.push({ path: 'main.params', message: 'main takes at most one parameter (the execution argument)', fix: 'read the fields of the single argument instead' });
  for (const sub of [main, ...subworkflows]) problems.push(...walkSubworkflow(sub, byName));
  return problems;
}
