/**
 * What IAM accepts as the condition of an allow-policy role binding, checked without I/O: the
 * sandbox's setIamPolicy refuses what fails here (with Google's 400 INVALID_ARGUMENT), and
 * `generate` runs the same check on every condition batch-workflows builds (src/resources/conditions.ts),
 * so a bad condition fails `npm run generate` and the tests, not only an apply.
 *
 * The expression is parsed with a real CEL parser (@bufbuild/cel), then its syntax tree is walked:
 * only the attributes, functions and operators that IAM Conditions documents are accepted.
 *
 * Sources (Google's pages; the stored copies could be read only in part, see each rule):
 * - OVERVIEW https://cloud.google.com/iam/docs/conditions-overview: "The condition's title is
 *   required, but the description is optional"; "You cannot use conditions when you grant legacy
 *   basic roles, including Owner (roles/owner), Editor (roles/editor), and Viewer (roles/viewer).
 *   Also, you cannot use conditions when you grant roles to all users (allUsers) or all
 *   authenticated users (allAuthenticatedUsers)."
 * - ATTRIBUTES https://cloud.google.com/iam/docs/conditions-attribute-reference: resource service,
 *   type and name attributes "can [be used] in allow policy role bindings" for Cloud Storage,
 *   Resource Manager and Secret Manager among others; the date/time, API, tag, access-level and
 *   destination attributes and their functions are listed further down that page.
 * - POLICY https://cloud.google.com/resource-manager/reference/rest/Shared.Types/Policy: the example
 *   condition `request.time < timestamp('2020-10-01T00:00:00.000Z')`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Parse = typeof import('@bufbuild/cel').parse;
type Expr = ReturnType<Parse>['expr'];

let celParse: Parse | undefined;
/**
 * @bufbuild/cel's parser module alone, loaded on the first parse: the package's index also loads its
 * evaluator, standard library and protobuf registry, about half a second at start-up for every
 * process that imports this file (the CLI, the sandbox, each test file), and a check never evaluates.
 * The version is pinned exactly in package.json, so the file layout next to the package's main
 * (dist/cjs/parse.js) is known.
 */
function parseCel(expression: string): ReturnType<Parse> {
  if (!celParse) {
    const require = createRequire(import.meta.url);
    celParse = (require(join(dirname(require.resolve('@bufbuild/cel')), 'parse.js')) as { parse: Parse }).parse;
  }
  return celParse(expression);
}

export interface Condition {
  readonly title?: unknown;
  readonly description?: unknown;
  readonly expression?: unknown;
}

/**
 * Limits. TITLE_MAX_CHARS and EXPRESSION_MAX_CHARS are the limits the sandbox enforced before this
 * module; LOGICAL_OPERATORS_MAX is the limit of 12 logical operators per condition. The "Limits"
 * section of OVERVIEW, where Google states them, was not readable in the stored copies available
 * when this was written: these three numbers are not confirmed from a primary source, and no limit
 * on the description is enforced for the same reason.
 */
export const TITLE_MAX_CHARS = 100;
export const EXPRESSION_MAX_CHARS = 12_800;
export const LOGICAL_OPERATORS_MAX = 12;

/** Legacy basic roles, which cannot be granted with a condition (OVERVIEW). */
export const BASIC_ROLES_WITHOUT_CONDITIONS: readonly string[] = ['roles/owner', 'roles/editor', 'roles/viewer'];
/** Principals that cannot be granted a role with a condition (OVERVIEW). */
export const PRINCIPALS_WITHOUT_CONDITIONS: readonly string[] = ['allUsers', 'allAuthenticatedUsers'];

/** Attributes a condition may read, as dotted paths (ATTRIBUTES). */
const ATTRIBUTES = new Set([
  'resource.name', // resource name attribute
  'resource.type', // resource type attribute
  'resource.service', // resource service attribute
  'request.time', // date/time attribute; POLICY's example
  'request.host', // Identity-Aware Proxy URL host
  'request.path', // Identity-Aware Proxy URL path
  'request.auth.access_levels', // access levels (Identity-Aware Proxy)
  'destination.ip', // IAP TCP forwarding destination
  'destination.port',
]);

/**
 * Keys of `api.getAttribute(KEY, DEFAULT)` (ATTRIBUTES, "API attributes").
 * `storage.googleapis.com/objectListPrefix` is used in Credential Access Boundaries
 * (https://cloud.google.com/iam/docs/downscoping-short-lived-credentials); whether allow policies
 * honour it could not be settled from a primary source (see src/resources/conditions.ts). It is accepted
 * so that the sandbox judges the rest of the project's conditions; the next issue moves client
 * listing to managed folders, where listing is documented.
 */
const API_ATTRIBUTES = new Set(['iam.googleapis.com/modifiedGrantsByRole', 'storage.googleapis.com/objectListPrefix']);

/** Methods called on an attribute or a value (ATTRIBUTES: string, date/time and list functions). */
const METHODS = new Set([
  'startsWith',
  'endsWith',
  'extract',
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getFullYear',
  'getHours',
  'getMilliseconds',
  'getMinutes',
  'getMonth',
  'getSeconds',
  'hasOnly',
]);
/** Methods on `resource` itself: tags (ATTRIBUTES, "Resource tags"). */
const RESOURCE_METHODS = new Set(['matchTag', 'matchTagId', 'hasTagKey', 'hasTagKeyId']);
/** Global functions and operators (ATTRIBUTES; CEL's names for the operators). */
const LOGICAL = new Set(['_&&_', '_||_', '!_']);
const COMPARISONS = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '@in']);
const GLOBAL_FUNCTIONS = new Set([...LOGICAL, ...COMPARISONS, 'timestamp', 'duration']);
/** What may stand at the top of an expression: something that is true or false. */
const BOOLEAN_RESULTS = new Set([...LOGICAL, ...COMPARISONS, 'startsWith', 'endsWith', 'hasOnly', ...RESOURCE_METHODS]);

const OPERATOR_NAMES: Record<string, string> = { '_+_': '+', '_-_': '-', '_*_': '*', '_/_': '/', '_%_': '%', '-_': 'unary -', '_?_:_': '?:', '_[_]': '[]' };

/**
 * Every reason IAM would refuse this condition, or [] when it is acceptable. `role` and `members`
 * are those of the binding that carries it (basic roles and public principals take no condition).
 */
export function conditionProblems(condition: Condition, role?: string, members: readonly string[] = []): string[] {
  const problems: string[] = [];
  const { title, description, expression } = condition;
  if (typeof title !== 'string' || title.trim() === '') problems.push('condition.title is required.');
  else if (title.length > TITLE_MAX_CHARS) problems.push(`condition.title is ${title.length} characters long; the maximum is ${TITLE_MAX_CHARS}.`);
  if (description !== undefined && description !== null && typeof description !== 'string') problems.push('condition.description must be a string.');
  if (role !== undefined && BASIC_ROLES_WITHOUT_CONDITIONS.includes(role)) problems.push(`Conditions are not allowed on the basic role ${role}; grant a predefined role instead.`);
  const open = members.filter((m) => PRINCIPALS_WITHOUT_CONDITIONS.includes(m));
  if (open.length) problems.push(`Conditions are not allowed on role bindings to ${open.join(' and ')}.`);
  if (typeof expression !== 'string' || expression.trim() === '') {
    problems.push('condition.expression is required.');
    return problems;
  }
  if (expression.length > EXPRESSION_MAX_CHARS) {
    problems.push(`condition.expression is ${expression.length.toLocaleString('en-US')} characters long; the maximum is ${EXPRESSION_MAX_CHARS.toLocaleString('en-US')}.`);
    return problems;
  }
  problems.push(...expressionProblems(expression));
  return problems;
}

/**
 * String literals whose text cannot change how the expression parses or what it calls (no quote,
 * backslash or line break inside), except the attribute name given to api.getAttribute.
 */
const PLAIN_LITERAL = /(getAttribute\(\s*)?(?:"[^"\\\n]*"|'[^'\\\n]*')/g;
const emptied = (literal: string, attributeName: string | undefined) => (attributeName === undefined ? '""' : literal);
const SHAPE_CACHE_SIZE = 1000;
const byShape = new Map<string, readonly string[]>();

/**
 * Syntax, attributes, functions and the logical-operator limit of one CEL expression. The verdict
 * does not depend on the text of plain string literals, so it is cached by the expression with those
 * emptied: a policy of a thousand clients' conditions, which differ only in their names, is parsed
 * a handful of times instead of thousands (a parse costs about a third of a millisecond).
 */
export function expressionProblems(expression: string): string[] {
  const shape = expression.replace(PLAIN_LITERAL, emptied);
  const known = byShape.get(shape);
  if (known) return [...known];
  const problems = uncachedExpressionProblems(expression);
  if (byShape.size >= SHAPE_CACHE_SIZE) byShape.clear();
  byShape.set(shape, problems);
  return [...problems];
}

function uncachedExpressionProblems(expression: string): string[] {
  let root: Expr;
  try {
    root = parseCel(expression).expr;
  } catch (error) {
    return [`condition.expression is not valid CEL: ${(error as Error).message}`];
  }
  const problems = new Set<string>();
  let logical = 0;
  const visit = (e: Expr): void => {
    const kind = e.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return;
      case 'identExpr':
        problems.add(`attribute "${kind.value.name}" is not supported in IAM Conditions.`);
        return;
      case 'selectExpr': {
        const path = dottedPath(e);
        if (kind.value.testOnly) problems.add('function "has" is not supported in IAM Conditions.');
        else if (path === undefined || !ATTRIBUTES.has(path)) problems.add(`attribute "${path ?? kind.value.field}" is not supported in IAM Conditions.`);
        return;
      }
      case 'callExpr': {
        const { function: fn, target, args } = kind.value;
        if (LOGICAL.has(fn)) logical++;
        if (target) {
          const receiver = target.exprKind.case === 'identExpr' ? target.exprKind.value.name : undefined;
          if (receiver === 'api' && fn === 'getAttribute') {
            const key = args[0]?.exprKind.case === 'constExpr' && args[0].exprKind.value.constantKind.case === 'stringValue' ? args[0].exprKind.value.constantKind.value : undefined;
            if (args.length !== 2) problems.add('api.getAttribute takes two arguments: the attribute name and a default value.');
            else if (key === undefined) problems.add('the first argument of api.getAttribute must be a string literal.');
            else if (!API_ATTRIBUTES.has(key)) problems.add(`API attribute "${key}" is not supported in IAM Conditions.`);
            args.slice(1).forEach(visit);
            return;
          }
          if (receiver === 'resource' && RESOURCE_METHODS.has(fn)) {
            args.forEach(visit);
            return;
          }
          if (!METHODS.has(fn)) problems.add(`function "${fn}" is not supported in IAM Conditions.`);
          visit(target);
        } else if (!GLOBAL_FUNCTIONS.has(fn)) {
          problems.add(OPERATOR_NAMES[fn] ? `operator "${OPERATOR_NAMES[fn]}" is not supported in IAM Conditions.` : `function "${fn}" is not supported in IAM Conditions.`);
        }
        args.forEach(visit);
        return;
      }
      case 'listExpr':
        kind.value.elements.forEach(visit);
        return;
      case 'structExpr':
        problems.add('map and message literals are not supported in IAM Conditions.');
        return;
      case 'comprehensionExpr':
        problems.add('macros (all, exists, exists_one, map, filter) are not supported in IAM Conditions.');
        return;
      default:
        problems.add('condition.expression is empty.');
    }
  };
  visit(root);
  if (logical > LOGICAL_OPERATORS_MAX) problems.add(`condition.expression has ${logical} logical operators; the maximum is ${LOGICAL_OPERATORS_MAX}.`);
  if (problems.size === 0 && !isBoolean(root)) problems.add('condition.expression must evaluate to true or false.');
  return [...problems];
}

function dottedPath(e: Expr): string | undefined {
  const kind = e.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && kind.value.operand) {
    const head = dottedPath(kind.value.operand);
    return head === undefined ? undefined : `${head}.${kind.value.field}`;
  }
  return undefined;
}

function isBoolean(e: Expr): boolean {
  const kind = e.exprKind;
  if (kind.case === 'constExpr') return kind.value.constantKind.case === 'boolValue';
  return kind.case === 'callExpr' && BOOLEAN_RESULTS.has(kind.value.function);
}
