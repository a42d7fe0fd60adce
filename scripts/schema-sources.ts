/**
 * Readers of Google's machine-readable API definitions, for scripts/extract-api-schemas.ts:
 *  - protos.json of an @google-cloud/* package (protobufjs JSON descriptors: fields, options such as
 *    google.api.field_behavior and google.api.http);
 *  - gcloud's apitools message and client modules (generated from the APIs' discovery documents:
 *    `x = _messages.StringField(1)`, docstrings saying "Output only." / "Required.", method configs).
 * Both are turned into one model (schema-model.ts), the shape the sandbox validator reads.
 */
import type { EnumDef, FieldDef, MessageDef, MethodDef } from '../src/local/schema-model.ts';

/** Well-known types the validator checks by their JSON mapping instead of by their fields. */
export const WELL_KNOWN = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.Any',
  'google.protobuf.Empty',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);
const KEPT_BEHAVIOURS = ['REQUIRED', 'OUTPUT_ONLY', 'IMMUTABLE', 'IDENTIFIER'] as const;

export interface Extracted {
  readonly messages: Map<string, MessageDef>;
  readonly enums: Map<string, EnumDef>;
  readonly methods: Map<string, MethodDef>;
}

// ---------------------------------------------------------------- protos.json

interface ProtoNode {
  nested?: Record<string, ProtoNode>;
  fields?: Record<string, { type: string; rule?: string; keyType?: string; options?: Record<string, unknown> }>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  methods?: Record<string, { requestType: string; options?: Record<string, unknown> }>;
  options?: Record<string, unknown>;
}

export function readProtos(root: ProtoNode, methodNames: readonly string[], behaviours: ReadonlyMap<string, readonly string[]>): Extracted {
  const index = new Map<string, ProtoNode>();
  const walk = (node: ProtoNode, prefix: string) => {
    for (const [name, child] of Object.entries(node.nested ?? {})) {
      const full = prefix ? `${prefix}.${name}` : name;
      index.set(full, child);
      walk(child, full);
    }
  };
  walk(root, '');
  // protobufjs resolution: the name relative to the scope, then to each enclosing scope.
  const resolve = (name: string, scope: string): string => {
    if (name.startsWith('.')) return name.slice(1);
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), name].join('.');
      if (index.has(candidate)) return candidate;
    }
    throw new Error(`cannot resolve type ${name} from ${scope}`);
  };

  const out: Extracted = { messages: new Map(), enums: new Map(), methods: new Map() };
  const queue: string[] = [];
  const want = (full: string) => {
    if (WELL_KNOWN.has(full) || out.messages.has(full) || out.enums.has(full)) return;
    const node = index.get(full)!;
    if (node.values) {
      out.enums.set(full, { ...node.values });
      return;
    }
    out.messages.set(full, { fields: {} }); // placeholder, filled below
    queue.push(full);
  };

  for (const methodName of methodNames) {
    const dot = methodName.lastIndexOf('.');
    const service = index.get(methodName.slice(0, dot));
    const method = service?.methods?.[methodName.slice(dot + 1)];
    if (!method) throw new Error(`no method ${methodName} in the protos`);
    const request = resolve(method.requestType, methodName.slice(0, dot));
    const options = method.options ?? {};
    const verb = (['get', 'post', 'put', 'patch', 'delete'] as const).find((v) => options[`(google.api.http).${v}`] !== undefined);
    if (!verb) throw new Error(`${methodName} has no google.api.http rule`);
    const template = String(options[`(google.api.http).${verb}`]);
    const body = options['(google.api.http).body'] as string | undefined;
    out.methods.set(methodName, {
      http: `${verb.toUpperCase()} ${template}`,
      request,
      ...(body ? { body } : {}),
      path: [...template.matchAll(/\{([a-zA-Z0-9_.]+)(=[^}]*)?\}/g)].map((m) => snakeToCamelPath(m[1]!)),
    });
    want(request);
  }

  while (queue.length) {
    const full = queue.shift()!;
    const node = index.get(full)!;
    const fields: Record<string, FieldDef> = {};
    for (const [name, f] of Object.entries(node.fields ?? {})) {
      const def: Record<string, unknown> = {};
      const typeName = SCALARS.has(f.type) ? f.type : resolve(f.type, full);
      if (SCALARS.has(typeName) || WELL_KNOWN.has(typeName)) def.type = typeName;
      else if (index.get(typeName)!.values) def.enum = typeName;
      else def.message = typeName;
      if (!SCALARS.has(typeName)) want(typeName);
      if (f.keyType) def.map = f.keyType;
      if (f.rule === 'repeated') def.repeated = true;
      const all = behaviours.get(`${full}.${name}`) ?? [f.options?.['(google.api.field_behavior)']];
      const kept = KEPT_BEHAVIOURS.filter((b) => all.includes(b));
      if (kept.length) def.behavior = kept;
      fields[name] = def as FieldDef;
    }
    const oneofs = Object.fromEntries(
      Object.entries(node.oneofs ?? {})
        .filter(([n]) => !n.startsWith('_'))
        .map(([n, o]) => [n, o.oneof]),
    );
    out.messages.set(full, { fields, ...(Object.keys(oneofs).length ? { oneofs } : {}) });
  }
  return out;
}

function snakeToCamelPath(path: string): string {
  return path
    .split('.')
    .map((s) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    .join('.');
}

// ---------------------------------------------------------------- apitools

interface PyClass {
  readonly name: string; // dotted, e.g. Trigger.LabelsValue
  readonly kind: 'message' | 'enum';
  readonly indent: number;
  readonly isMap: boolean;
  readonly doc: Map<string, string>; // field → its docstring description
  readonly fields: { name: string; kind: string; args: string }[];
  readonly values: string[];
}

/** Classes of an apitools *_messages.py, with their fields, enum values and per-field docstrings. */
function parseMessagesModule(text: string): Map<string, PyClass> {
  const classes = new Map<string, PyClass>();
  const stack: PyClass[] = [];
  const lines = text.split('\n');
  let pendingMap = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    while (stack.length && indent <= stack[stack.length - 1]!.indent && !line.trimStart().startsWith('"""')) stack.pop();
    if (/^\s*@encoding\.MapUnrecognizedFields\('additionalProperties'\)/.test(line)) {
      pendingMap = true;
      continue;
    }
    const cls = /^(\s*)class (\w+)\(_messages\.(Message|Enum)\):/.exec(line);
    if (cls) {
      const parent = stack[stack.length - 1];
      const entry: PyClass = {
        name: parent ? `${parent.name}.${cls[2]}` : cls[2]!,
        kind: cls[3] === 'Enum' ? 'enum' : 'message',
        indent,
        isMap: pendingMap,
        doc: new Map(),
        fields: [],
        values: [],
      };
      pendingMap = false;
      classes.set(entry.name, entry);
      stack.push(entry);
      i = readDocstring(lines, i + 1, entry);
      continue;
    }
    const current = stack[stack.length - 1];
    if (!current) continue;
    const field = /^\s*(\w+) = (?:_messages|_message_types)\.(\w+)Field\((.*)\)\s*$/.exec(line);
    if (field && current.kind === 'message') current.fields.push({ name: field[1]!, kind: field[2]!, args: field[3]! });
    const value = /^\s*(\w+) = (\d+)\s*$/.exec(line);
    if (value && current.kind === 'enum') current.values.push(value[1]!);
  }
  return classes;
}

/** Reads the r"""...""" after a class line; returns the index of its last line. */
function readDocstring(lines: readonly string[], start: number, into: PyClass): number {
  if (!/^\s*r?"""/.test(lines[start] ?? '')) return start - 1;
  let end = start;
  const body: string[] = [];
  const first = lines[start]!.replace(/^\s*r?"""/, '');
  if (first.includes('"""')) return start;
  body.push(first);
  for (end = start + 1; end < lines.length; end++) {
    if (lines[end]!.includes('"""')) {
      body.push(lines[end]!.replace(/""".*/, ''));
      break;
    }
    body.push(lines[end]!);
  }
  let inFields = false;
  let sectionIndent = -1;
  let currentField: string | undefined;
  for (const raw of body) {
    if (/^\s*Fields:\s*$/.test(raw)) {
      inFields = true;
      sectionIndent = -1;
      continue;
    }
    if (!inFields) continue;
    if (!raw.trim()) continue;
    const indent = raw.length - raw.trimStart().length;
    if (sectionIndent < 0) sectionIndent = indent;
    if (indent < sectionIndent) break;
    const entry = indent === sectionIndent ? /^\s*(\w+): ?(.*)$/.exec(raw) : null;
    if (entry) {
      currentField = entry[1]!;
      into.doc.set(currentField, entry[2]!.trim());
    } else if (currentField) {
      into.doc.set(currentField, `${into.doc.get(currentField)} ${raw.trim()}`);
    }
  }
  return end;
}

interface PyMethod {
  readonly method_id: string;
  readonly http_method: string;
  readonly relative_path: string;
  readonly path_params: string[];
  readonly query_params: string[];
  readonly request_field: string;
  readonly request_type_name: string;
}

/** The `base_api.ApiMethodInfo(...)` configs of an apitools *_client.py, by method id. */
function parseClientModule(text: string): Map<string, PyMethod> {
  const methods = new Map<string, PyMethod>();
  for (const block of text.split('base_api.ApiMethodInfo(').slice(1)) {
    const body = block.slice(0, block.indexOf('\n    )'));
    const str = (key: string) => new RegExp(`\\b${key}=(?:u?'([^']*)'|"([^"]*)")`).exec(body);
    const list = (key: string) => {
      const m = new RegExp(`\\b${key}=\\[([^\\]]*)\\]`).exec(body);
      return m ? [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!) : [];
    };
    const value = (key: string) => {
      const m = str(key);
      return m ? (m[1] ?? m[2] ?? '') : '';
    };
    const id = value('method_id');
    methods.set(id, {
      method_id: id,
      http_method: value('http_method'),
      relative_path: value('flat_path') || value('relative_path'),
      path_params: list('path_params'),
      query_params: list('query_params'),
      request_field: value('request_field'),
      request_type_name: value('request_type_name'),
    });
  }
  return methods;
}

const PY_SCALARS: Record<string, string> = { String: 'string', Boolean: 'bool', Bytes: 'bytes', DateTime: 'google.protobuf.Timestamp' };

/**
 * Behaviours read from apitools docstrings: discovery documents carry the field_behavior of the
 * protos only as the description's first words ("Output only.", "Required.", "Immutable.").
 */
function docBehaviours(description: string | undefined, required: boolean): FieldDef['behavior'] {
  const text = description ?? '';
  const out: ('REQUIRED' | 'OUTPUT_ONLY' | 'IMMUTABLE')[] = [];
  if (required || /^Required\b/.test(text)) out.push('REQUIRED');
  if (/^(Output only|\[Output Only\])/i.test(text)) out.push('OUTPUT_ONLY');
  if (/^Immutable\b/.test(text)) out.push('IMMUTABLE');
  return out.length ? out : undefined;
}

export function readApitools(messagesText: string, clientText: string, prefix: string, methodIds: readonly string[]): Extracted {
  const classes = parseMessagesModule(messagesText);
  const clientMethods = parseClientModule(clientText);
  const fieldMappings = new Map<string, string>(); // `Class.pyName` → JSON name
  for (const m of messagesText.matchAll(/encoding\.AddCustomJsonFieldMapping\(\s*([\w.]+), '(\w+)', '([^']+)'\)/g)) fieldMappings.set(`${m[1]}.${m[2]}`, m[3]!);
  const enumMappings = new Map<string, string>();
  for (const m of messagesText.matchAll(/encoding\.AddCustomJsonEnumMapping\(\s*([\w.]+), '(\w+)', '([^']+)'\)/g)) enumMappings.set(`${m[1]}.${m[2]}`, m[3]!);

  const out: Extracted = { messages: new Map(), enums: new Map(), methods: new Map() };
  const full = (name: string) => `${prefix}.${name}`;
  const resolve = (name: string, scope: string): PyClass => {
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i--) {
      const candidate = classes.get([...parts.slice(0, i), name].join('.'));
      if (candidate) return candidate;
    }
    throw new Error(`cannot resolve ${name} from ${scope}`);
  };
  const queue: PyClass[] = [];
  const want = (cls: PyClass) => {
    const name = full(cls.name);
    if (cls.kind === 'enum') {
      // Discovery documents have no enum numbers: only names are known (null).
      if (!out.enums.has(name)) out.enums.set(name, Object.fromEntries(cls.values.map((v) => [enumMappings.get(`${cls.name}.${v}`) ?? v, null])));
      return name;
    }
    if (!out.messages.has(name)) {
      out.messages.set(name, { fields: {} });
      queue.push(cls);
    }
    return name;
  };
  /** A field's type, with apitools maps (`LabelsValue` + AdditionalProperty) folded into map fields. */
  const typeOf = (kind: string, args: string, scope: string): Record<string, unknown> => {
    if (PY_SCALARS[kind]) return { type: PY_SCALARS[kind] };
    if (kind === 'Integer') {
      const variant = /variant=_messages\.Variant\.(\w+)/.exec(args)?.[1];
      return { type: variant ? variant.toLowerCase() : 'int64' };
    }
    if (kind === 'Float') return { type: /Variant\.FLOAT/.test(args) ? 'float' : 'double' };
    const target = /^'([\w.]+)'/.exec(args)![1]!;
    if (target === 'extra_types.JsonValue') return { type: 'google.protobuf.Value' };
    if (target === 'extra_types.JsonObject') return { type: 'google.protobuf.Struct' };
    const cls = resolve(target, scope);
    if (kind === 'Enum') return { enum: want(cls) };
    if (cls.isMap) {
      const value = classes.get(`${cls.name}.AdditionalProperty`)!.fields.find((f) => f.name === 'value')!;
      return { ...typeOf(value.kind, value.args, `${cls.name}.AdditionalProperty`), map: 'string' };
    }
    return { message: want(cls) };
  };

  for (const id of methodIds) {
    const method = clientMethods.get(id);
    if (!method) throw new Error(`no method ${id} in the apitools client`);
    const request = classes.get(method.request_type_name)!;
    const body = method.request_field && method.request_field !== '<request>' ? method.request_field : undefined;
    out.methods.set(id, {
      http: `${method.http_method} ${method.relative_path}`,
      request: want(request),
      ...(body ? { body } : method.request_field === '<request>' ? { body: '*' } : {}),
      path: method.path_params,
      // Query parameters by their JSON names: apitools spells `options.requestedPolicyVersion` as
      // `options_requestedPolicyVersion` and maps it back with AddCustomJsonFieldMapping.
      query: method.query_params.map((q) => fieldMappings.get(`${method.request_type_name}.${q}`) ?? q),
    });
  }
  while (queue.length) {
    const cls = queue.shift()!;
    const fields: Record<string, FieldDef> = {};
    for (const f of cls.fields) {
      const def: Record<string, unknown> = typeOf(f.kind, f.args, cls.name);
      if (/repeated=True/.test(f.args)) def.repeated = true;
      const behavior = docBehaviours(cls.doc.get(f.name), /required=True/.test(f.args));
      if (behavior) def.behavior = behavior;
      fields[fieldMappings.get(`${cls.name}.${f.name}`) ?? f.name] = def as FieldDef;
    }
    out.messages.set(full(cls.name), { fields });
  }
  return out;
}
