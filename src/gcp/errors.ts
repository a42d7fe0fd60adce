/**
 * One error vocabulary for every transport (types.ts `CloudError`). What arrives here, in practice:
 *
 * - gRPC (SDKs against Google): a GoogleError whose `.code` is a gRPC status number (5 = NOT_FOUND).
 * - REST fallback (SDKs built with `fallback: true` against the sandbox): gax hands over the raw
 *   GaxiosError, whose `.code` and `.status` are the HTTP status (404) and whose message is the
 *   Google JSON error body as text.
 * - gax-decoded REST errors (GoogleError.parseHttpError): `.code` is the gRPC number mapped from the
 *   body's `status`.
 * - Our own REST calls (google-auth-library): GaxiosError with `.response.status` and `.response.data`
 *   already parsed as the JSON error body.
 * - @google-cloud/storage: ApiError with `.code` = HTTP status.
 * - Network failures: Node system errors (`ECONNREFUSED`, ...), aborts and timeouts.
 *
 * The most specific signal wins: the body's `status` name (it tells ALREADY_EXISTS from ABORTED, both
 * 409), then a gRPC code, then the HTTP status. `.code` is ambiguous between gRPC and HTTP, so numbers
 * below 100 are read as gRPC codes and the rest as HTTP statuses.
 */
import { CloudError, type CloudErrorCode } from './types.ts';

/** gRPC status numbers (google.rpc.Code) to our vocabulary; codes we have no word for fold into the nearest. */
const GRPC_NUMBERS: Readonly<Record<number, CloudErrorCode>> = {
  1: 'UNKNOWN', // CANCELLED: nobody here cancels on purpose; treat as an unexplained failure
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'INVALID_ARGUMENT', // OUT_OF_RANGE
  12: 'UNKNOWN', // UNIMPLEMENTED
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'INTERNAL', // DATA_LOSS
  16: 'UNAUTHENTICATED',
};

const GRPC_NAMES: Readonly<Record<string, CloudErrorCode>> = {
  CANCELLED: 'UNKNOWN',
  UNKNOWN: 'UNKNOWN',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  ABORTED: 'ABORTED',
  OUT_OF_RANGE: 'INVALID_ARGUMENT',
  UNIMPLEMENTED: 'UNKNOWN',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
  DATA_LOSS: 'INTERNAL',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
};

/** Google's HTTP mapping (google/rpc/code.proto); 409 without a body is ABORTED, as gax maps it. */
export function codeFromHttpStatus(status: number): CloudErrorCode {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 408:
      return 'DEADLINE_EXCEEDED';
    case 409:
      return 'ABORTED';
    case 412:
      return 'FAILED_PRECONDITION';
    case 416:
      return 'INVALID_ARGUMENT';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 500:
      return 'INTERNAL';
    case 502:
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      if (status >= 500) return 'INTERNAL';
      if (status >= 400) return 'INVALID_ARGUMENT';
      return 'UNKNOWN';
  }
}

/** Node and fetch-level failures: the request never got an answer, so trying again may help. */
const NETWORK_CODES: Readonly<Record<string, CloudErrorCode>> = {
  ECONNREFUSED: 'UNAVAILABLE',
  ECONNRESET: 'UNAVAILABLE',
  EPIPE: 'UNAVAILABLE',
  EAI_AGAIN: 'UNAVAILABLE',
  ENOTFOUND: 'UNAVAILABLE',
  EHOSTUNREACH: 'UNAVAILABLE',
  ENETUNREACH: 'UNAVAILABLE',
  UND_ERR_SOCKET: 'UNAVAILABLE',
  ECONNABORTED: 'UNAVAILABLE',
  ETIMEDOUT: 'DEADLINE_EXCEEDED',
  ESOCKETTIMEDOUT: 'DEADLINE_EXCEEDED',
  TimeoutError: 'DEADLINE_EXCEEDED',
  AbortError: 'DEADLINE_EXCEEDED',
};

/** The parts of a Google JSON error body (`{error:{code,status,message}}`) we use. */
export interface GoogleErrorBody {
  readonly code?: number;
  readonly status?: string;
  readonly message?: string;
}

/** Finds a Google JSON error body in an object, a JSON string, or a Buffer; undefined otherwise. */
export function googleErrorBody(data: unknown): GoogleErrorBody | undefined {
  let value = data;
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  // Some fallbacks answer with an array of streamed messages, one of which carries the error.
  if (Array.isArray(value)) value = value.find((item) => isRecord(item) && isRecord(item['error']));
  if (!isRecord(value) || !isRecord(value['error'])) return undefined;
  const error = value['error'];
  return {
    ...(typeof error['code'] === 'number' ? { code: error['code'] } : {}),
    ...(typeof error['status'] === 'string' ? { status: error['status'] } : {}),
    ...(typeof error['message'] === 'string' ? { message: error['message'] } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

interface Classified {
  readonly code: CloudErrorCode;
  readonly httpStatus?: number;
  readonly detail: string;
}

/** Pure classification of anything thrown by an SDK, gaxios, or the network. */
export function classifyError(error: unknown): Classified {
  if (error instanceof CloudError) {
    return { code: error.code, ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}), detail: error.message };
  }
  if (!isRecord(error) && !(error instanceof Error)) {
    return { code: 'UNKNOWN', detail: String(error) };
  }
  const e = error as Record<string, unknown>;
  const response = isRecord(e['response']) ? e['response'] : undefined;
  const message = typeof e['message'] === 'string' ? e['message'] : String(error);

  const body = googleErrorBody(response?.['data']) ?? googleErrorBody(response?.['body']) ?? googleErrorBody(message) ?? googleErrorBody(e);

  const rawCode = e['code'];
  const codeNumber = numeric(rawCode);
  const httpStatus =
    numeric(e['status']) ??
    numeric(response?.['status']) ??
    (codeNumber !== undefined && codeNumber >= 100 ? codeNumber : undefined) ??
    (body?.code !== undefined && body.code >= 100 ? body.code : undefined);

  const detail = body?.message ?? (typeof e['details'] === 'string' && e['details'] ? e['details'] : message);
  const withStatus = (code: CloudErrorCode): Classified => ({
    code,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    detail,
  });

  if (body?.status && GRPC_NAMES[body.status]) return withStatus(GRPC_NAMES[body.status]!);
  if (codeNumber !== undefined && codeNumber < 100 && GRPC_NUMBERS[codeNumber]) return withStatus(GRPC_NUMBERS[codeNumber]!);
  if (typeof rawCode === 'string' && GRPC_NAMES[rawCode]) return withStatus(GRPC_NAMES[rawCode]!);
  if (httpStatus !== undefined) return withStatus(codeFromHttpStatus(httpStatus));

  const networkCode = (typeof rawCode === 'string' ? NETWORK_CODES[rawCode] : undefined) ?? (typeof e['name'] === 'string' ? NETWORK_CODES[e['name']] : undefined) ?? causeNetworkCode(e['cause']);
  if (networkCode) return withStatus(networkCode);
  if (/socket hang up|other side closed|fetch failed/i.test(message)) return withStatus('UNAVAILABLE');
  return withStatus('UNKNOWN');
}

function causeNetworkCode(cause: unknown): CloudErrorCode | undefined {
  if (!isRecord(cause)) return undefined;
  const code = cause['code'];
  const name = cause['name'];
  return (typeof code === 'string' ? NETWORK_CODES[code] : undefined) ?? (typeof name === 'string' ? NETWORK_CODES[name] : undefined);
}

/**
 * Turns anything thrown into a CloudError whose message names the operation and the resource, so a
 * failure read in a log says which resource it was about (`workflows.create projects/p/...: ...`).
 */
export function toCloudError(error: unknown, operation: string, resourceName: string): CloudError {
  if (error instanceof CloudError) return error;
  const { code, httpStatus, detail } = classifyError(error);
  const cleaned = detail.replace(/\s+/g, ' ').trim();
  const message = `${operation} ${resourceName}: ${code}${httpStatus !== undefined ? ` (HTTP ${httpStatus})` : ''}: ${cleaned}`;
  const result = new CloudError(code, message, httpStatus, operation.split('.')[0]);
  (result as { cause?: unknown }).cause = error;
  return result;
}

/** Errors worth retrying with backoff (docs/design.md §4); apply decides, this only names them. */
export function isTransient(error: unknown): boolean {
  const code = error instanceof CloudError ? error.code : classifyError(error).code;
  return code === 'UNAVAILABLE' || code === 'RESOURCE_EXHAUSTED' || code === 'DEADLINE_EXCEEDED' || code === 'INTERNAL';
}
