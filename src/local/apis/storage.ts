/**
 * A Cloud Storage JSON API subset (https://cloud.google.com/storage/docs/json_api/v1): bucket
 * get/insert/list/delete; object list (prefix, delimiter, pagination), get (metadata, or content with
 * `alt=media`), delete; uploads by `uploadType=media`, `multipart` and `resumable` (what
 * @google-cloud/storage's `file.save()` uses by default). Objects carry a generation, and the
 * `ifGenerationMatch` precondition holds (`0` = only if absent). Every object written here is
 * delivered to the Eventarc triggers that match it.
 */
import { ApiError, invalid, route, type ApiReply, type ApiRequest, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { hexId, isRecord, listBody, paginate } from '../google-shapes.ts';
import { objectResource, type StoredObject } from '../objects.ts';
import { publicView, type SandboxState, type StoredResource } from '../state.ts';
import { callerOf } from '../authz/principal.ts';
import { deliverObjectCreated } from '../event-delivery.ts';
import { forgetBucket } from '../resource-policies.ts';

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

const noBucket = (bucket: string) => new ApiError('NOT_FOUND', `The specified bucket does not exist: ${bucket}`, 'notFound');

/** The stored bucket, or Storage's 404 for it (the object and the IAM routes alike). */
export function existingBucket(state: SandboxState, bucket: string): StoredResource {
  const found = state.get('buckets', bucket);
  if (!found) throw noBucket(bucket);
  return found;
}
const noObject = (bucket: string, object: string) => new ApiError('NOT_FOUND', `No such object: ${bucket}/${object}`, 'notFound');
const preconditionFailed = () => new ApiError('CONDITION_NOT_MET', 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet');

interface UploadSession {
  readonly bucket: string;
  readonly name: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
  readonly ifGenerationMatch?: string;
  received: Buffer;
}

/** Split a multipart/related body into its parts (headers lower-cased, content as bytes). */
export function multipartParts(body: Buffer, contentType: string): { headers: Record<string, string>; content: Buffer }[] {
  // Quoted with " by most clients, with ' by gcloud's Python email library.
  const boundary = /boundary=(?:"([^"]+)"|'([^']+)'|([^";\s]+))/i
    .exec(contentType)
    ?.slice(1)
    .find((b) => b !== undefined);
  if (!boundary) throw invalid('multipart upload without a boundary in Content-Type.');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: Record<string, string>; content: Buffer }[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next === -1) break;
    // RFC 2046 says CRLF; gcloud's Python client sends bare LF, so both are accepted.
    let part = body.subarray(afterDelimiter, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    else if (part.subarray(0, 1).toString() === '\n') part = part.subarray(1);
    if (part.subarray(part.length - 2).toString() === '\r\n') part = part.subarray(0, part.length - 2);
    else if (part.subarray(part.length - 1).toString() === '\n') part = part.subarray(0, part.length - 1);
    const crlf = part.indexOf('\r\n\r\n');
    const lf = part.indexOf('\n\n');
    const [split, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
    const head = split === -1 ? '' : part.subarray(0, split).toString('utf8');
    const content = split === -1 ? part : part.subarray(split + gap);
    const headers: Record<string, string> = {};
    for (const line of head.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, content });
    start = next;
  }
  return parts;
}

export function storageRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const sessions = new Map<string, UploadSession>();

  const mustBucket = (bucket: string) => existingBucket(state, bucket);

  const store = (req: ApiRequest, args: { bucket: string; name: string; data: Buffer; contentType?: string; metadata?: Record<string, string>; ifGenerationMatch?: string }) => {
    if (!args.name) throw new ApiError('INVALID_ARGUMENT', 'Required parameter: name', 'required');
    const existing = state.getObject(args.bucket, args.name);
    if (args.ifGenerationMatch !== undefined) {
      const expected = args.ifGenerationMatch;
      if (expected === '0' ? existing !== undefined : existing?.generation !== expected) throw preconditionFailed();
    }
    const object = state.putObject(args.bucket, args.name, args.data, args.contentType, args.metadata);
    // The write is audit-logged and delivered to matching Eventarc triggers (src/local/event-delivery.ts).
    const caller = callerOf(req.headers);
    deliverObjectCreated(context, { bucket: args.bucket, object: args.name, caller });
    return { json: objectResource(object, req.origin) };
  };

  const finishUpload = (req: ApiRequest, session: UploadSession, data: Buffer) =>
    store(req, {
      bucket: session.bucket,
      name: session.name,
      data,
      ...(session.contentType ? { contentType: session.contentType } : {}),
      ...(session.metadata ? { metadata: session.metadata } : {}),
      ...(session.ifGenerationMatch !== undefined ? { ifGenerationMatch: session.ifGenerationMatch } : {}),
    });

  const sendObject = (req: ApiRequest, object: StoredObject) => {
    if (req.param('alt') === 'media') {
      return {
        raw: { data: Buffer.from(object.data, 'base64'), contentType: object.contentType },
        headers: {
          'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
          'x-goog-generation': object.generation,
          'x-goog-metageneration': object.metageneration,
          'x-goog-stored-content-encoding': 'identity',
          'x-goog-stored-content-length': object.size,
          ETag: `"${object.md5Hash}"`,
        },
      };
    }
    return { json: objectResource(object, req.origin) };
  };

  const getObject = (req: ApiRequest) => {
    const { bucket, object } = req.params as Record<string, string>;
    mustBucket(bucket!);
    const found = state.getObject(bucket!, object!);
    if (!found) throw noObject(bucket!, object!);
    const generation = req.param('generation');
    if (generation && generation !== found.generation) throw noObject(bucket!, object!);
    const match = req.param('ifGenerationMatch');
    if (match !== undefined && match !== found.generation) throw preconditionFailed();
    return sendObject(req, found);
  };

  return [
    route('GET', '/storage/v1/b', 'buckets.list', (req) => {
      const project = req.param('project');
      if (!project) throw new ApiError('INVALID_ARGUMENT', 'Required parameter: project', 'required');
      const all = Object.values(state.all('buckets'))
        .filter((b) => b._project === project)
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = paginate(all, req.param('maxResults'), req.param('pageToken'), { defaultSize: 1000, maxSize: 1000 });
      return { json: listBody('items', page.items.map(publicView), page.nextPageToken, { kind: 'storage#buckets' }) };
    }),

    route('POST', '/storage/v1/b', 'buckets.insert', (req) => {
      const project = req.param('project');
      if (!project) throw new ApiError('INVALID_ARGUMENT', 'Required parameter: project', 'required');
      const body = req.json();
      const name = body.name;
      if (typeof name !== 'string' || !BUCKET_NAME.test(name)) throw new ApiError('INVALID_ARGUMENT', `Invalid bucket name: '${String(name)}'`, 'invalid');
      if (state.get('buckets', name)) {
        throw new ApiError('ALREADY_EXISTS', 'Your previous request to create the named bucket succeeded and you already own it.', 'conflict');
      }
      const uniform = body.iamConfiguration?.uniformBucketLevelAccess?.enabled ?? body.iamConfiguration?.bucketPolicyOnly?.enabled;
      return { json: publicView(state.createBucket(name, project, body.location ?? 'US', { uniformBucketLevelAccess: uniform === true })) };
    }),

    route('GET', '/storage/v1/b/{bucket}', 'buckets.get', (req) => ({ json: publicView(mustBucket(req.params.bucket!)) })),

    route('DELETE', '/storage/v1/b/{bucket}', 'buckets.delete', (req) => {
      const bucket: string = mustBucket(req.params.bucket!).name;
      if (state.listObjects(bucket).length > 0) throw new ApiError('ALREADY_EXISTS', 'The bucket you tried to delete is not empty.', 'conflict');
      state.remove('buckets', bucket);
      forgetBucket(state, bucket);
      return { status: 204 };
    }),

    route('GET', '/storage/v1/b/{bucket}/o', 'objects.list', (req) => {
      const bucket: string = mustBucket(req.params.bucket!).name;
      const prefix = req.param('prefix') ?? '';
      const delimiter = req.param('delimiter');
      const items: StoredObject[] = [];
      const prefixes = new Set<string>();
      for (const object of state.listObjects(bucket, prefix)) {
        const rest = object.name.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (delimiter && cut !== -1) prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
        else items.push(object);
      }
      const page = paginate(items, req.param('maxResults'), req.param('pageToken'), { defaultSize: 1000, maxSize: 1000 });
      return {
        json: {
          kind: 'storage#objects',
          ...(page.items.length ? { items: page.items.map((o) => objectResource(o, req.origin)) } : {}),
          ...(prefixes.size ? { prefixes: [...prefixes].sort() } : {}),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        },
      };
    }),

    route('GET', '/storage/v1/b/{bucket}/o/{object**}', 'objects.get', getObject),
    route('GET', '/download/storage/v1/b/{bucket}/o/{object**}', 'objects.download', (req) => {
      req.query.set('alt', 'media');
      return getObject(req);
    }),

    route('DELETE', '/storage/v1/b/{bucket}/o/{object**}', 'objects.delete', (req) => {
      const { bucket, object } = req.params as Record<string, string>;
      mustBucket(bucket!);
      const found = state.getObject(bucket!, object!);
      if (!found) throw noObject(bucket!, object!);
      const match = req.param('ifGenerationMatch');
      if (match !== undefined && match !== found.generation) throw preconditionFailed();
      state.deleteObject(bucket!, object!);
      return { status: 204 };
    }),

    route('POST', '/upload/storage/v1/b/{bucket}/o', 'objects.insert', (req) => {
      const bucket: string = mustBucket(req.params.bucket!).name;
      const uploadType = req.param('uploadType') ?? 'media';
      const ifGenerationMatch = req.param('ifGenerationMatch');
      const contentTypeHeader = String(req.headers['content-type'] ?? '');
      if (uploadType === 'media') {
        return store(req, { bucket, name: req.param('name') ?? '', data: req.rawBody, contentType: contentTypeHeader, ...(ifGenerationMatch !== undefined ? { ifGenerationMatch } : {}) });
      }
      if (uploadType === 'multipart') {
        const [metaPart, dataPart] = multipartParts(req.rawBody, contentTypeHeader);
        if (!metaPart || !dataPart) throw invalid('A multipart upload needs a metadata part and a media part.');
        const meta: unknown = JSON.parse(metaPart.content.toString('utf8') || '{}');
        const metadata = isRecord(meta) ? meta : {};
        return store(req, {
          bucket,
          name: req.param('name') ?? metadata.name ?? '',
          data: dataPart.content,
          contentType: metadata.contentType ?? dataPart.headers['content-type'],
          ...(isRecord(metadata.metadata) ? { metadata: metadata.metadata } : {}),
          ...(ifGenerationMatch !== undefined ? { ifGenerationMatch } : {}),
        });
      }
      if (uploadType === 'resumable') {
        const metadata = req.rawBody.length ? req.json() : {};
        const name = req.param('name') ?? metadata.name;
        if (!name) throw new ApiError('INVALID_ARGUMENT', 'Required parameter: name', 'required');
        const id = hexId(16);
        sessions.set(id, {
          bucket,
          name,
          ...(metadata.contentType || req.headers['x-upload-content-type'] ? { contentType: metadata.contentType ?? String(req.headers['x-upload-content-type']) } : {}),
          ...(isRecord(metadata.metadata) ? { metadata: metadata.metadata } : {}),
          ...(ifGenerationMatch !== undefined ? { ifGenerationMatch } : {}),
          received: Buffer.alloc(0),
        });
        return { headers: { Location: `${req.origin}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${id}` } };
      }
      throw invalid(`Unsupported uploadType "${uploadType}": use media, multipart or resumable.`);
    }),

    route('PUT', '/upload/storage/v1/b/{bucket}/o', 'objects.resumableUpload', (req): ApiReply => {
      const id = req.param('uploadId') ?? '';
      const session = sessions.get(id);
      if (!session) throw new ApiError('NOT_FOUND', `No upload session ${id}.`, 'notFound');
      const range = String(req.headers['content-range'] ?? '');
      const chunk = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range);
      const statusOnly = /^bytes \*\/(\d+|\*)$/.exec(range);
      // `bytes N-*/T`: the whole rest of the object in this one request (single-request uploads).
      const rest = /^bytes (\d+)-\*\/(\d+|\*)$/.exec(range);
      if (rest) {
        sessions.delete(id);
        return finishUpload(req, session, Buffer.concat([session.received.subarray(0, Number(rest[1])), req.rawBody]));
      }
      if (chunk) {
        const start = Number(chunk[1]);
        // A resent chunk overlaps what we have: keep only the new tail.
        const fresh = req.rawBody.subarray(Math.max(0, session.received.length - start));
        if (start > session.received.length) throw invalid(`Upload chunk starts at ${start} but only ${session.received.length} bytes were received.`);
        session.received = Buffer.concat([session.received, fresh]);
      } else if (!statusOnly) {
        session.received = Buffer.concat([session.received, req.rawBody]);
      }
      const totalText = chunk?.[3] ?? statusOnly?.[1] ?? (range ? '*' : String(session.received.length));
      const total = totalText === '*' ? undefined : Number(totalText);
      if (total !== undefined && session.received.length >= total) {
        sessions.delete(id);
        return finishUpload(req, session, session.received.subarray(0, total));
      }
      return { status: 308, headers: session.received.length ? { Range: `bytes=0-${session.received.length - 1}` } : {} };
    }),
  ];
}
