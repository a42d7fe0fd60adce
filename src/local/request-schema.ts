/**
 * Checks a request against Google's definition of its method (src/local/schemas/<api>.json, from
 * Google's protos or gcloud's apitools modules; request-contracts.ts says which method a route is),
 * the way Google's front end parses REST requests into protos before any handler runs:
 *  - every body field must exist in its message, with the JSON type the proto3 JSON mapping gives
 *    it (https://protobuf.dev/programming-guides/json/: int64 as number or string, enums by name or
 *    number, bytes as base64, Timestamp/Duration as strings, maps as objects, Struct/Value any JSON);
 *    field names are accepted in lowerCamel or as the proto (snake_case) name, as that mapping says;
 *  - every query parameter must be a system parameter or a field of the request message not bound
 *    by the path or body (gRPC transcoding, google/api/http.proto);
 *  - output-only fields are dropped before the handler sees them (google.api.field_behavior
 *    OUTPUT_ONLY: "the server ignores" them in requests, google/api/field_behavior.proto);
 *  - required fields (REQUIRED) must be set, except inside the resource of an update, where the
 *    update mask decides (AIP-134), and except the resource's own `name` on create (AIP-133);
 *  - every update mask path must name a field of the message it updates;
 *  - at most one member of a oneof is set.
 * Error messages follow what Google's front end answers (quoted in public reports of production
 * responses; no Google page documents them): `Invalid JSON payload received. Unknown name "x" at
 * 'trigger': Cannot find field.`, `Invalid value at 'workflow.call_log_level'
 * (type.googleapis.com/google.cloud.workflows.v1.Workflow.CallLogLevel), "X"`, `Invalid value at
 * 'page_size' (TYPE_INT32), "abc"`, `Unknown name "x": Cannot bind query parameter. Field 'x' could
 * not be found in request message.`, with one google.rpc.BadRequest fieldViolation per error.
 */
import type { ApiSchema, FieldDef, MessageDef } from './schema-model.ts';
import type { RouteContract } from './request-contracts.ts';
import { checkValue, snake, type Violation } from './schema-values.ts';

export type { Violation } from './schema-values.ts';

/**
 * System parameters every Google REST API accepts besides its own
 * (https://cloud.google.com/apis/docs/system-parameters), plus the upload parameters of media
 * methods (`upload_id` is how Cloud Storage's resumable uploads name the session).
 */
const SYSTEM_PARAMETERS = new Set([
  'alt',
  '$alt',
  '$apiVersion',
  '$.xgafv',
  'callback',
  '$callback',
  'fields',
  '$fields',
  'key',
  'api_key',
  'prettyPrint',
  '$prettyPrint',
  'quotaUser',
  '$quotaUser',
  'userProject',
  '$userProject',
  'access_token',
  'oauth_token',
  'upload_protocol',
  'uploadType',
  'upload_id',
  '$outputDefaults',
  'trace',
  '$trace',
  'requestReason',
  '$requestReason',
]);

export interface CheckResult {
  readonly violations: readonly Violation[];
  /** The body with output-only fields dropped and field names in lowerCamel; undefined: no JSON body. */
  readonly body?: Record<string, unknown>;
}

interface CompiledRoute {
  /** Query parameter (lowerCamel path) → its leaf field. */
  readonly query: ReadonlyMap<string, FieldDef>;
  /** The message the JSON body is, its path prefix in error messages, and the request field it fills. */
  readonly body?: { readonly message: string; readonly prefix: string; readonly field?: string; readonly required: boolean };
  readonly pathFields: ReadonlySet<string>;
  /** Request fields (not path-bound) that are REQUIRED, with where they come from. */
  readonly requiredQuery: readonly string[];
  /** The message an update mask updates: its required fields are the mask's business (AIP-134). */
  readonly relaxRequired?: string;
  readonly mask?: { readonly inBody: boolean; readonly at: string; readonly target: string };
}

export class RequestChecker {
  private readonly compiled = new Map<RouteContract, CompiledRoute>();
  /** Per message: accepted JSON name (lowerCamel and snake_case) → field name. */
  private readonly names = new Map<string, Map<string, string>>();

  constructor(private readonly schema: ApiSchema) {}

  check(contract: RouteContract, query: URLSearchParams, body: Record<string, unknown> | undefined): CheckResult {
    const route = this.compile(contract);
    const violations: Violation[] = [];
    for (const [name, value] of query) {
      if (SYSTEM_PARAMETERS.has(name)) continue;
      const key = name.split('.').map(camel).join('.');
      const field = route.query.get(key);
      if (!field) {
        const description = `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`;
        violations.push({ description });
        continue;
      }
      checkValue(this.schema, field, queryValue(field, value), snake(key), violations, true);
    }
    for (const name of route.requiredQuery) {
      if (query.get(name) === null && query.get(snake(name)) === null) {
        violations.push({ field: snake(name), description: `Required field "${snake(name)}" is missing.` });
      }
    }
    let cleaned: Record<string, unknown> | undefined;
    if (route.body) {
      if (body === undefined) {
        if (route.body.required && !contract.mediaBody) violations.push({ field: route.body.prefix, description: `Required field "${route.body.prefix}" is missing.` });
      } else {
        cleaned = this.checkMessage(body, route.body.message, route.body.prefix, violations, route.relaxRequired, route.pathFields, true);
      }
    }
    if (route.mask) this.checkMask(route, query, cleaned, violations);
    return cleaned === undefined ? { violations } : { violations, body: cleaned };
  }

  private compile(contract: RouteContract): CompiledRoute {
    const cached = this.compiled.get(contract);
    if (cached) return cached;
    const id = 'proto' in contract.method ? contract.method.proto : contract.method.apitools;
    const method = this.schema.methods[id];
    if (!method) throw new Error(`no method ${id} in the API schema (re-run scripts/extract-api-schemas.ts)`);
    const request = this.message(method.request);
    const bodyField = contract.bodyAsStar ? '*' : method.body;
    const pathTop = new Set(method.path.map((p) => p.split('.')[0]!));
    const query = new Map<string, FieldDef>();
    if (method.query) {
      for (const name of method.query) query.set(name, request.fields[name]!);
    } else if (bodyField !== '*' || contract.bodyAsStar) {
      // gRPC transcoding: every field not bound by the path or the body is a query parameter; message
      // fields contribute their leaves as dotted names.
      const walk = (message: MessageDef, prefix: string, depth: number) => {
        for (const [name, field] of Object.entries(message.fields)) {
          if (!prefix && (pathTop.has(name) || name === bodyField)) continue;
          const path = prefix ? `${prefix}.${name}` : name;
          if (field.message && !field.map && depth < 4) walk(this.message(field.message), path, depth + 1);
          else if (!field.map) query.set(path, field);
        }
      };
      walk(request, '', 0);
    }
    let body: CompiledRoute['body'];
    if (bodyField === '*') body = { message: method.request, prefix: '', required: false };
    else if (bodyField) {
      const field = request.fields[bodyField]!;
      // apitools wraps a `*` body in a field named after its message (`createServiceAccountRequest`).
      const prefix = /Request$/.test(bodyField) ? '' : snake(bodyField);
      body = { message: field.message!, prefix, field: bodyField, required: field.behavior?.includes('REQUIRED') === true };
    }
    // With a `*` body every field not in the path is in the body, and checked there.
    const requiredQuery = Object.entries(request.fields)
      .filter(([name, f]) => bodyField !== '*' && f.behavior?.includes('REQUIRED') && !pathTop.has(name) && name !== bodyField && !f.message)
      .map(([name]) => name);
    let mask: CompiledRoute['mask'];
    if (contract.updateMask) {
      const strip = (path: string) => (body?.field && path.startsWith(`${body.field}.`) ? path.slice(body.field.length + 1) : path);
      const inBody = bodyField === '*' || (body?.field !== undefined && contract.updateMask.at.startsWith(`${body.field}.`));
      const targetPath = strip(contract.updateMask.target);
      const bodyMessage = body ? this.message(body.message) : request;
      const targetField = inBody ? bodyMessage.fields[targetPath] : request.fields[targetPath];
      mask = { inBody, at: strip(contract.updateMask.at), target: targetField?.message ?? body?.message ?? method.request };
    }
    const compiled: CompiledRoute = { query, ...(body ? { body } : {}), pathFields: pathTop, requiredQuery, ...(mask ? { mask, relaxRequired: mask.target } : {}) };
    this.compiled.set(contract, compiled);
    return compiled;
  }

  private message(name: string): MessageDef {
    const message = this.schema.messages[name];
    if (!message) throw new Error(`no message ${name} in the API schema`);
    return message;
  }

  private fieldName(messageName: string, message: MessageDef, key: string): string | undefined {
    let names = this.names.get(messageName);
    if (!names) {
      names = new Map();
      for (const name of Object.keys(message.fields)) {
        names.set(name, name);
        names.set(snake(name), name);
      }
      this.names.set(messageName, names);
    }
    return names.get(key);
  }

  /** Checks `value` as message `name` at `path`; returns it with output-only fields dropped. */
  checkMessage(
    value: Record<string, unknown>,
    name: string,
    path: string,
    out: Violation[],
    relaxRequired: string | undefined,
    ignore: ReadonlySet<string> = new Set(),
    top = false,
  ): Record<string, unknown> {
    const message = this.message(name);
    const enforceRequired = name !== relaxRequired;
    const cleaned: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(value)) {
      const fieldName = this.fieldName(name, message, key);
      if (fieldName === undefined) {
        if (top && ignore.has(key)) continue;
        const description = `Invalid JSON payload received. Unknown name "${key}"${path ? ` at '${path}'` : ''}: Cannot find field.`;
        out.push(path ? { field: path, description } : { description });
        continue;
      }
      const field = message.fields[fieldName]!;
      const fieldPath = path ? `${path}.${snake(fieldName)}` : snake(fieldName);
      const checked = checkValue(this.schema, field, raw, fieldPath, out, false, (v, m, p) => this.checkMessage(v, m, p, out, relaxRequired));
      // An etag is output only, yet clients send back the one they read so a stale write fails
      // (AIP-154, https://google.aip.dev/154); the handlers compare it, so it is kept.
      if (field.behavior?.includes('OUTPUT_ONLY') && fieldName !== 'etag') continue;
      cleaned[fieldName] = checked;
    }
    // Two members of one oneof: protobuf's JSON parser refuses the second (its ProtoStreamObjectWriter
    // wording: `Invalid value at 'secret' (oneof), oneof field 'expiration' is already set. Cannot set 'expireTime'`).
    for (const [oneof, members] of Object.entries(message.oneofs ?? {})) {
      const set = Object.keys(value).filter((key) => value[key] !== null && members.includes(this.fieldName(name, message, key) ?? ''));
      if (set.length > 1) {
        const description = `Invalid value at '${path}' (oneof), oneof field '${snake(oneof)}' is already set. Cannot set '${set[1]}'`;
        out.push(path ? { field: path, description } : { description });
      }
    }
    if (enforceRequired) {
      for (const [fieldName, field] of Object.entries(message.fields)) {
        if (!field.behavior?.includes('REQUIRED') || field.behavior.includes('OUTPUT_ONLY')) continue;
        if (top && (fieldName === 'name' || ignore.has(fieldName))) continue;
        if (isUnset(cleaned[fieldName])) {
          const fieldPath = path ? `${path}.${snake(fieldName)}` : snake(fieldName);
          out.push({ field: fieldPath, description: `Required field "${fieldPath}" is missing.` });
        }
      }
    }
    return cleaned;
  }

  private checkMask(route: CompiledRoute, query: URLSearchParams, body: Record<string, unknown> | undefined, out: Violation[]): void {
    const mask = route.mask!;
    const raw = mask.inBody ? body?.[mask.at] : (query.get(mask.at) ?? query.get(snake(mask.at)) ?? undefined);
    if (raw === undefined || raw === null || raw === '') return;
    if (typeof raw !== 'string') return; // a wrong type was reported by the value check
    const paths = raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    for (const path of paths) {
      if (path === '*' && paths.length === 1) continue;
      if (!this.maskPathExists(mask.target, path.split('.'))) {
        out.push({ field: 'update_mask', description: `Invalid update mask path "${path}": ${mask.target} has no field "${path}".` });
      }
    }
  }

  private maskPathExists(messageName: string, segments: readonly string[]): boolean {
    const message = this.message(messageName);
    const name = this.fieldName(messageName, message, camel(segments[0]!)) ?? this.fieldName(messageName, message, segments[0]!);
    if (name === undefined) return false;
    const field = message.fields[name]!;
    if (segments.length === 1) return true;
    if (field.map) return segments.length === 2; // the next segment is a map key
    if (!field.message || field.repeated) return false;
    return this.maskPathExists(field.message, segments.slice(1));
  }
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * Query parameters are strings, read by the field's type. Booleans: gcloud sends Python's `True` /
 * `False` (storage buckets create sends `enableObjectRetention=False`), which Google accepts.
 */
function queryValue(field: FieldDef, value: string): unknown {
  if (field.type === 'bool') {
    const lower = value.toLowerCase();
    return lower === 'true' || lower === '1' ? true : lower === 'false' || lower === '0' ? false : value;
  }
  return value;
}
