/**
 * The shape of src/local/schemas/<api>.json: Google's message definitions for the methods the
 * sandbox serves, extracted by scripts/extract-api-schemas.ts from the protos in the
 * @google-cloud/* packages or from gcloud's apitools modules. Field names are the JSON (lowerCamel)
 * names; type names are fully qualified (`google.cloud.workflows.v1.Workflow`; apitools messages
 * under `<api>.<version>.`).
 */

export type FieldBehaviour = 'REQUIRED' | 'OUTPUT_ONLY' | 'IMMUTABLE' | 'IDENTIFIER';

export interface FieldDef {
  /** A proto scalar (`string`, `int64`, `bytes`, ...) or a well-known type (`google.protobuf.Timestamp`). */
  readonly type?: string;
  /** A message of this file. */
  readonly message?: string;
  /** An enum of this file. */
  readonly enum?: string;
  /** A map field with this key type; type/message/enum then describe its values. */
  readonly map?: string;
  readonly repeated?: true;
  readonly behavior?: readonly FieldBehaviour[];
}

export interface MessageDef {
  readonly fields: Readonly<Record<string, FieldDef>>;
  readonly oneofs?: Readonly<Record<string, readonly string[]>>;
}

/** Value names → numbers; apitools (discovery) enums have names only (null). */
export type EnumDef = Readonly<Record<string, number | null>>;

export interface MethodDef {
  /** `POST /v1/{parent=projects/*\/locations/*}/workflows`, for readers. */
  readonly http: string;
  readonly request: string;
  /** The request field the HTTP body holds, or `*` (all fields not bound by the path); absent: no body. */
  readonly body?: string;
  /** Request fields bound by the URL path. */
  readonly path: readonly string[];
  /** apitools only: the query parameters the method config lists (protos: every other leaf field). */
  readonly query?: readonly string[];
}

export interface ApiSchema {
  /** One line per source: package or gcloud file, and version. */
  readonly provenance: readonly string[];
  readonly generatedBy: string;
  readonly methods: Readonly<Record<string, MethodDef>>;
  readonly messages: Readonly<Record<string, MessageDef>>;
  readonly enums: Readonly<Record<string, EnumDef>>;
}
