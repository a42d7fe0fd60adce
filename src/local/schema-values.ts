/**
 * One field value against its definition, by the proto3 JSON mapping
 * (https://protobuf.dev/programming-guides/json/): which JSON types each proto type accepts, and
 * Google's wording when it does not (`Invalid value at 'job.retry_count' (TYPE_INT32), "abc"`).
 */
import type { ApiSchema, FieldDef } from './schema-model.ts';

export interface Violation {
  /** The field's path as Google names it (proto names, `a.b[0].c`); absent at the top level. */
  readonly field?: string;
  readonly description: string;
}

export type MessageCheck = (value: Record<string, unknown>, message: string, path: string) => Record<string, unknown>;

export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);
const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};
// RFC 3339 with a Z or offset, as google/protobuf/timestamp.proto's JSON mapping says.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
// Seconds with up to 9 fractional digits and an `s` suffix (google/protobuf/duration.proto).
const DURATION = /^-?\d+(\.\d{1,9})?s$/;
// Standard or URL-safe base64, padded or not: the proto3 JSON mapping accepts both.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
}

function typeTag(field: FieldDef): string {
  if (field.enum) return enumTag(field.enum);
  if (field.message) return `type.googleapis.com/${field.message}`;
  const type = field.type!;
  if (type.startsWith('google.protobuf.')) return `type.googleapis.com/${type}`;
  return `TYPE_${type.toUpperCase()}`;
}

/** Proto enums are named by their type URL; apitools (discovery) enums have no proto name. */
function enumTag(name: string): string {
  return /^[a-z]+\.v\d\w*\.[A-Z]/.test(name) ? 'TYPE_ENUM' : `type.googleapis.com/${name}`;
}

function invalid(out: Violation[], field: FieldDef, path: string, value: unknown, extra = ''): void {
  out.push({ field: path, description: `Invalid value at '${path}' (${typeTag(field)}), ${extra || shown(value)}` });
}

function isInteger(value: unknown, signed: boolean, bits: 32 | 64): boolean {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return false;
    n = BigInt(value);
  } else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    n = BigInt(value.trim());
  } else if (typeof value === 'string' && /^-?\d+(\.0+)?(e\+?\d+)?$/i.test(value.trim()) && Number.isInteger(Number(value))) {
    n = BigInt(Number(value));
  } else return false;
  const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  return n >= min && n <= max;
}

function scalarOk(type: string, value: unknown): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (INT32.has(type)) return isInteger(value, true, 32);
  if (UINT32.has(type)) return isInteger(value, false, 32);
  if (INT64.has(type)) return isInteger(value, true, 64);
  if (UINT64.has(type)) return isInteger(value, false, 64);
  if (type === 'double' || type === 'float') {
    if (typeof value === 'number') return true;
    return typeof value === 'string' && (['NaN', 'Infinity', '-Infinity'].includes(value) || (value.trim() !== '' && Number.isFinite(Number(value))));
  }
  if (type === 'bytes') return typeof value === 'string' && BASE64.test(value) && value.replace(/=+$/, '').length % 4 !== 1;
  return false;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks one field's value; pushes violations; returns the value to hand on (nested messages
 * cleaned by `message`). `single`: a query parameter occurrence, one element of a repeated field.
 */
export function checkValue(schema: ApiSchema, field: FieldDef, value: unknown, path: string, out: Violation[], single: boolean, message?: MessageCheck): unknown {
  if (value === null) return value; // null is the default value of any field (proto3 JSON)
  if (field.map && !single) {
    if (!isObject(value)) {
      invalid(out, field, path, value);
      return value;
    }
    const element: FieldDef = { ...field, map: undefined } as FieldDef;
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (field.map !== 'string' && !scalarOk(field.map, field.map === 'bool' ? (key === 'true' ? true : key === 'false' ? false : key) : key)) {
        out.push({ field: path, description: `Invalid value at '${path}' (TYPE_${field.map.toUpperCase()}), map key ${JSON.stringify(key)}` });
      }
      result[key] = checkValue(schema, element, item, `${path}[${JSON.stringify(key)}]`, out, true, message);
    }
    return result;
  }
  if (field.repeated && !single) {
    if (!Array.isArray(value)) {
      invalid(out, field, path, value);
      return value;
    }
    return value.map((item, i) => checkValue(schema, field, item, `${path}[${i}]`, out, true, message));
  }
  if (Array.isArray(value) && !(field.type === 'google.protobuf.Value' || field.type === 'google.protobuf.ListValue')) {
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    const name = path.slice(path.lastIndexOf('.') + 1);
    const description = `Invalid JSON payload received. Unknown name "${name}"${parent ? ` at '${parent}'` : ''}: Proto field is not repeating, cannot start list.`;
    out.push(parent ? { field: parent, description } : { description });
    return value;
  }
  if (field.enum) {
    const values = schema.enums[field.enum] ?? {};
    const known =
      (typeof value === 'string' && Object.hasOwn(values, value)) ||
      // The SDKs send enums as numbers (`$alt=json;enum-encoding=int`); apitools enums have no numbers.
      ((typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) && Object.values(values).includes(Number(value)));
    if (!known) invalid(out, field, path, value);
    return value;
  }
  if (field.message) {
    if (!isObject(value)) {
      invalid(out, field, path, value);
      return value;
    }
    return message ? message(value, field.message, path) : value;
  }
  const type = field.type!;
  if (WRAPPERS[type]) {
    if (!scalarOk(WRAPPERS[type]!, value)) invalid(out, field, path, value);
    return value;
  }
  switch (type) {
    case 'google.protobuf.Timestamp':
      if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
        invalid(out, field, path, value, `Field '${path.slice(path.lastIndexOf('.') + 1)}', Invalid time format: Failed to parse input`);
      }
      return value;
    case 'google.protobuf.Duration':
      if (typeof value !== 'string' || !DURATION.test(value)) invalid(out, field, path, value);
      return value;
    case 'google.protobuf.FieldMask':
      if (typeof value !== 'string') invalid(out, field, path, value);
      return value;
    case 'google.protobuf.Struct':
    case 'google.protobuf.Any':
    case 'google.protobuf.Empty':
      if (!isObject(value)) invalid(out, field, path, value);
      return value;
    case 'google.protobuf.ListValue':
      if (!Array.isArray(value)) invalid(out, field, path, value);
      return value;
    case 'google.protobuf.Value':
      return value;
    default:
      if (!scalarOk(type, value)) {
        if (type === 'bytes' && typeof value === 'string') invalid(out, field, path, value, `Base64 decoding failed for ${JSON.stringify(value)}`);
        else invalid(out, field, path, value);
      }
      return value;
  }
}
