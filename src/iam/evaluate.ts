/**
 * Evaluating an IAM condition for one request, with a real CEL evaluator (@bufbuild/cel): what the
 * sandbox's authorizer runs on each conditional role binding. Pure: the caller supplies the request
 * attributes, the clock included.
 *
 * The attributes, as Google documents them
 * (https://cloud.google.com/iam/docs/conditions-attribute-reference):
 * - `resource.name`, `resource.type`, `resource.service` (values per
 *   https://cloud.google.com/iam/docs/conditions-resource-attributes, e.g. `storage.googleapis.com`,
 *   `storage.googleapis.com/Object`, `projects/_/buckets/B/objects/O`). "Resource attributes are
 *   available for the Google Cloud services and resource types that are listed on this page. Other
 *   services and resource types do not recognize resource attributes." For a list permission the
 *   name is the parent's ("For a list permission check, the resource.name value must be set to the
 *   parent resource", IAP v1 API, Resource.name).
 * - `request.time`, a timestamp, with the date/time functions (getHours, getFullYear, ...).
 * - `api.getAttribute(KEY, DEFAULT)`, which answers DEFAULT when the request carries no such
 *   attribute.
 *
 * Where an attribute is not available (a service that does not recognize resource attributes), the
 * sandbox gives it the empty string, so `resource.name.startsWith(X)` is false and a condition that
 * tests `resource.type != ...` is true. No primary source stating Google's exact behaviour was
 * readable when this was written (see the report of issue 9); a condition whose evaluation fails
 * (an error, a non-boolean) does not grant, since a role binding applies only when its condition is
 * true.
 */
import { celMethod, CelScalar, celEnv, isCelError, mapType, parse, plan } from '@bufbuild/cel';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';

export interface RequestAttributes {
  /** Undefined when the service does not recognize resource attributes. */
  readonly resource?: { readonly name: string; readonly type: string; readonly service: string };
  readonly time: Date;
  /** API attributes by key (e.g. `storage.googleapis.com/objectListPrefix`); absent ones take the default. */
  readonly api?: Readonly<Record<string, string>>;
}

const getAttribute = celMethod('getAttribute', mapType(CelScalar.STRING, CelScalar.DYN), [CelScalar.STRING, CelScalar.DYN], CelScalar.DYN, function (key, fallback) {
  const value = this.get(key);
  return value === undefined ? fallback : value;
});

const ENV = celEnv({ funcs: [getAttribute] });
type Program = ReturnType<typeof plan>;
const programs = new Map<string, Program | Error>();

function programOf(expression: string): Program | Error {
  let program = programs.get(expression);
  if (!program) {
    try {
      program = plan(ENV, parse(expression));
    } catch (error) {
      program = error instanceof Error ? error : new Error(String(error));
    }
    if (programs.size > 10_000) programs.clear();
    programs.set(expression, program);
  }
  return program;
}

/** Whether the condition holds for this request: true only when it evaluates to the boolean true. */
export function conditionHolds(expression: string, attributes: RequestAttributes): boolean {
  const program = programOf(expression);
  if (program instanceof Error) return false;
  const resource = attributes.resource ?? { name: '', type: '', service: '' };
  const result = program({
    resource: new Map(Object.entries(resource)),
    request: new Map([['time', timestampFromDate(attributes.time)]]),
    api: new Map(Object.entries(attributes.api ?? {})),
  } as never);
  return !isCelError(result) && result === true;
}
