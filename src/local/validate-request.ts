/**
 * The request validator the sandbox's servers run before any handler (server.ts): the route's
 * contract (request-contracts.ts) checked against its API's committed schema (schemas/<api>.json)
 * by request-schema.ts, answered in Google's error shape. The schemas are imported as modules, so a
 * fresh clone runs the sandbox without gcloud or the extraction script.
 */
import type { SandboxApi } from './sandbox-apis.ts';
import { ApiError } from './http.ts';
import { contractOf } from './request-contracts.ts';
import { multipartParts } from './apis/storage.ts';
import { RequestChecker, type Violation } from './request-schema.ts';
import type { ApiSchema } from './schema-model.ts';
import workflows from './schemas/workflows.json' with { type: 'json' };
import workflowexecutions from './schemas/workflowexecutions.json' with { type: 'json' };
import eventarc from './schemas/eventarc.json' with { type: 'json' };
import cloudscheduler from './schemas/cloudscheduler.json' with { type: 'json' };
import iam from './schemas/iam.json' with { type: 'json' };
import cloudresourcemanager from './schemas/cloudresourcemanager.json' with { type: 'json' };
import batch from './schemas/batch.json' with { type: 'json' };
import secretmanager from './schemas/secretmanager.json' with { type: 'json' };
import storage from './schemas/storage.json' with { type: 'json' };
import pubsub from './schemas/pubsub.json' with { type: 'json' };
import iamcredentials from './schemas/iamcredentials.json' with { type: 'json' };

export const API_SCHEMAS: Readonly<Record<SandboxApi, ApiSchema>> = {
  workflows,
  workflowexecutions,
  eventarc,
  cloudscheduler,
  iam,
  cloudresourcemanager,
  batch,
  secretmanager,
  storage,
  pubsub,
  iamcredentials,
  // `satisfies` makes a missing API a compile error; the cast only narrows the JSON's inferred types.
} satisfies Record<SandboxApi, unknown> as unknown as Record<SandboxApi, ApiSchema>;

/** google.rpc.BadRequest as REST returns it (google/rpc/error_details.proto, in an Any). */
function badRequest(api: SandboxApi, violations: readonly Violation[]): ApiError {
  const message = violations.map((v) => v.description).join('\n');
  // Cloud Storage's JSON API answers in its own shape: errors[] with a reason, no details.
  if (api === 'storage') return new ApiError('INVALID_ARGUMENT', message, 'invalid');
  return new ApiError('INVALID_ARGUMENT', message, undefined, [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations.map((v) => ({ ...(v.field ? { field: v.field } : {}), description: v.description })) },
  ]);
}

export type RequestValidator = (
  routeName: string,
  method: string,
  query: URLSearchParams,
  json: (() => Record<string, unknown>) | undefined,
  media?: { readonly rawBody: Buffer; readonly contentType: string },
) => Record<string, unknown> | undefined;

/**
 * The object metadata of a media upload, which Google parses like any body: the JSON that starts a
 * resumable upload, or the first part of a multipart one
 * (https://cloud.google.com/storage/docs/json_api/v1/objects/insert).
 */
function uploadMetadata(
  method: string,
  query: URLSearchParams,
  json: (() => Record<string, unknown>) | undefined,
  media: { readonly rawBody: Buffer; readonly contentType: string } | undefined,
): Record<string, unknown> | undefined {
  // Only the POST starts an upload; the PUTs of a resumable session carry the data.
  if (method !== 'POST') return undefined;
  const uploadType = query.get('uploadType');
  if (uploadType === 'resumable' && json && media?.rawBody.length) return json();
  if (uploadType === 'multipart' && media) {
    const [metadata] = multipartParts(media.rawBody, media.contentType);
    const text = metadata?.content.toString('utf8').trim();
    if (!text) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined; // the handler reports malformed metadata
    }
  }
  return undefined;
}

/**
 * For one API: checks a routed request, throws the 400 Google would answer, and returns the body
 * the handler should see (output-only fields dropped), or undefined when the route has no JSON body.
 * `json` is undefined when the request has no body.
 */
export function requestValidator(api: SandboxApi): RequestValidator {
  const checker = new RequestChecker(API_SCHEMAS[api]);
  return (routeName, method, query, json, media) => {
    const contract = contractOf(api, method, routeName);
    if (!contract) throw new Error(`sandbox route ${api}.${routeName} has no entry in request-contracts.ts`);
    const body = contract.mediaBody ? uploadMetadata(method, query, json, media) : json ? json() : undefined;
    const result = checker.check(contract, query, body);
    if (result.violations.length) throw badRequest(api, result.violations);
    // A media body is the handler's to read as it came.
    return contract.mediaBody ? undefined : result.body;
  };
}
