/**
 * Cloud Storage access control in the JSON API's shapes (gcloud's apitools client and messages,
 * generated_clients/apis/storage/v1/storage_v1_{client,messages}.py, and
 * https://cloud.google.com/storage/docs/json_api/v1):
 * - bucket IAM: `GET b/{bucket}/iam` (query `optionsRequestedPolicyVersion`) and `PUT b/{bucket}/iam`
 *   whose body is the Policy itself (`kind: storage#policy`, `resourceId: projects/_/buckets/B`);
 * - buckets.patch of `iamConfiguration` (uniform bucket-level access) and `labels`;
 * - managed folders: `POST b/{bucket}/managedFolders` (body `{name}`), `GET` list (`prefix`,
 *   `pageToken`, `pageSize`/`maxResults`), `GET`/`DELETE b/{bucket}/managedFolders/{managedFolder}`
 *   (the name's slashes may be escaped as %2F), and their IAM at `.../managedFolders/{f}/iam`.
 *
 * Rules, with their sources:
 * - "Managed folders can only be created in buckets that have uniform bucket-level access enabled"
 *   (https://cloud.google.com/storage/docs/managed-folders). Google's error for it was not found in a
 *   primary source: the sandbox answers 400 with reason `invalid`, as Storage does for requests its
 *   bucket configuration forbids ("Cannot use ACL API ... when uniform bucket-level access is
 *   enabled", invalid).
 * - Managed folders nest up to 15 levels deep (same page); a name is stored ending with `/`
 *   (ManagedFolder resource: "example_dir/example_dir2/").
 * - getIamPolicy "If the optionsRequestedPolicyVersion is for an older version that doesn't support
 *   part of the requested IAM policy, the request fails" (StorageBucketsGetIamPolicyRequest): a
 *   policy with conditions read below version 3 is a 400, not a `_withcond_` view.
 * - Conditions in a bucket's policy need uniform bucket-level access
 *   (https://cloud.google.com/storage/docs/access-control/iam#conditions).
 * - delete refuses a managed folder that still applies to objects or nested managed folders unless
 *   `allowNonEmpty` (StorageManagedFoldersDeleteRequest).
 */
import { ApiError, booleanParam, route, type ApiRequest, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { deepClone, etag, isRecord, listBody, now, paginate, validateLabels } from '../google-shapes.ts';
import { bucketIamConfiguration, publicView, type StoredResource } from '../state.ts';
import { folderName, managedFolder, ownPolicy, policyKey, putOwnPolicy, removeOwnPolicy, type PolicyResource } from '../resource-policies.ts';
import { hasConditions, nextResourcePolicy, requestedPolicyVersion, type Binding } from './iam-policy.ts';
import { serviceAccountNotYetVisible } from './iam.ts';
import { existingBucket } from './storage.ts';

export const MAX_FOLDER_DEPTH = 15;

const noFolder = (bucket: string, folder: string) => new ApiError('NOT_FOUND', `The managed folder ${folderName(folder)} does not exist in bucket ${bucket}.`, 'notFound');
const badRequest = (message: string) => new ApiError('INVALID_ARGUMENT', message, 'invalid');

export function uniformAccess(bucket: StoredResource): boolean {
  return bucket.iamConfiguration?.uniformBucketLevelAccess?.enabled === true;
}

function validateFolderName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name === '/') throw new ApiError('INVALID_ARGUMENT', 'Required parameter: name', 'required');
  const full = folderName(name);
  const segments = full.slice(0, -1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw badRequest(`Invalid managed folder name '${name}': empty, "." and ".." path segments are not allowed.`);
  if (segments.length > MAX_FOLDER_DEPTH) throw badRequest(`Invalid managed folder name '${name}': managed folders nest at most ${MAX_FOLDER_DEPTH} levels deep.`);
  if (Buffer.byteLength(full, 'utf8') > 1024) throw badRequest(`Invalid managed folder name '${name}': at most 1024 bytes.`);
  return full;
}

export function storageIamRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const mustBucket = (bucket: string) => existingBucket(state, bucket);
  const mustFolder = (bucket: string, folder: string) => {
    mustBucket(bucket);
    const found = managedFolder(state, bucket, folder);
    if (!found) throw noFolder(bucket, folder);
    return found;
  };

  const folderResource = (req: ApiRequest, folder: StoredResource) => ({
    kind: 'storage#managedFolder',
    ...publicView(folder),
    selfLink: `${req.origin}/storage/v1/b/${encodeURIComponent(folder.bucket)}/managedFolders/${encodeURIComponent(folder.name)}`,
  });

  const policyBody = (resource: PolicyResource, requested: number) => {
    const policy = ownPolicy(state, resource);
    if (requested < 3 && hasConditions(policy.bindings as Binding[])) {
      throw badRequest('The policy has conditional role bindings: request policy version 3 (optionsRequestedPolicyVersion=3) to read it.');
    }
    return {
      kind: 'storage#policy',
      resourceId: policyKey(resource),
      version: policy.version,
      etag: policy.etag,
      ...(policy.bindings.length ? { bindings: deepClone(policy.bindings) } : {}),
    };
  };

  const setPolicy = (req: ApiRequest, resource: PolicyResource, bucket: StoredResource) => {
    const incoming = req.json();
    const current = ownPolicy(state, resource);
    const next = nextResourcePolicy(current, incoming, (email) => serviceAccountNotYetVisible(context, email), etag);
    if (hasConditions(next.bindings) && !uniformAccess(bucket)) {
      throw badRequest(`IAM Conditions can only be used on a bucket with uniform bucket-level access enabled; enable it on ${bucket.name} first.`);
    }
    putOwnPolicy(state, resource, next);
    return { json: policyBody(resource, 3) };
  };

  const requested = (req: ApiRequest) => requestedPolicyVersion(req.param('optionsRequestedPolicyVersion') ?? req.param('options.requestedPolicyVersion'));

  return [
    route('GET', '/storage/v1/b/{bucket}/iam', 'buckets.getIamPolicy', (req) => {
      mustBucket(req.params.bucket!);
      return { json: policyBody({ kind: 'bucket', bucket: req.params.bucket! }, requested(req)) };
    }),
    route('PUT', '/storage/v1/b/{bucket}/iam', 'buckets.setIamPolicy', (req) => {
      const bucket = mustBucket(req.params.bucket!);
      return setPolicy(req, { kind: 'bucket', bucket: bucket.name }, bucket);
    }),

    route('PATCH', '/storage/v1/b/{bucket}', 'buckets.patch', (req) => {
      const bucket = mustBucket(req.params.bucket!);
      const body = req.json();
      const next: Record<string, any> = { ...bucket };
      if (body.labels !== undefined) {
        // JSON API patch semantics: a label set to null is removed, others are merged.
        const labels: Record<string, string> = { ...(bucket.labels ?? {}) };
        if (body.labels !== null) {
          if (!isRecord(body.labels)) throw badRequest('labels must be a map of strings.');
          for (const [key, value] of Object.entries(body.labels)) {
            if (value === null) delete labels[key];
            else labels[key] = value as string;
          }
        }
        validateLabels(labels);
        if (Object.keys(labels).length) next.labels = labels;
        else delete next.labels;
      }
      if (isRecord(body.iamConfiguration)) {
        const requestedUniform = body.iamConfiguration.uniformBucketLevelAccess?.enabled ?? body.iamConfiguration.bucketPolicyOnly?.enabled;
        const current = bucket.iamConfiguration ?? bucketIamConfiguration(false, bucket.timeCreated);
        if (typeof requestedUniform === 'boolean' && requestedUniform !== uniformAccess(bucket)) {
          const locked = current.uniformBucketLevelAccess?.lockedTime;
          if (!requestedUniform && locked && Date.now() > Date.parse(locked)) {
            throw badRequest(`Uniform bucket-level access on ${bucket.name} was locked at ${locked} and can no longer be disabled.`);
          }
          next.iamConfiguration = bucketIamConfiguration(requestedUniform, now(), body.iamConfiguration.publicAccessPrevention ?? current.publicAccessPrevention);
        } else if (typeof body.iamConfiguration.publicAccessPrevention === 'string') {
          next.iamConfiguration = { ...current, publicAccessPrevention: body.iamConfiguration.publicAccessPrevention };
        }
      }
      next.metageneration = String(Number(bucket.metageneration ?? 1) + 1);
      next.updated = now();
      state.put('buckets', bucket.name, next);
      return { json: publicView(next) };
    }),

    route('POST', '/storage/v1/b/{bucket}/managedFolders', 'managedFolders.insert', (req) => {
      const bucket = mustBucket(req.params.bucket!);
      const name = validateFolderName(req.json().name ?? req.param('name'));
      if (!uniformAccess(bucket)) {
        throw badRequest(
          `Managed folders can only be created in buckets that have uniform bucket-level access enabled; bucket ${bucket.name} does not. Enable it with: gcloud storage buckets update gs://${bucket.name} --uniform-bucket-level-access`,
        );
      }
      if (managedFolder(state, bucket.name, name)) throw new ApiError('ALREADY_EXISTS', `The managed folder ${name} already exists in bucket ${bucket.name}.`, 'conflict');
      const time = now();
      const folder = { id: `${bucket.name}/${name}`, name, bucket: bucket.name, createTime: time, updateTime: time, metageneration: '1' };
      state.put('managedFolders', `${bucket.name}/${name}`, folder);
      return { json: folderResource(req, folder) };
    }),

    route('GET', '/storage/v1/b/{bucket}/managedFolders', 'managedFolders.list', (req) => {
      const bucket = mustBucket(req.params.bucket!).name;
      const prefix = req.param('prefix') ?? '';
      const start = `${bucket}/${prefix}`;
      const all = Object.entries(state.all('managedFolders'))
        .filter(([key]) => key.startsWith(start))
        .map(([, folder]) => folder)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const page = paginate(all, req.param('pageSize') ?? req.param('maxResults'), req.param('pageToken'), { defaultSize: 1000, maxSize: 1000 });
      return {
        json: listBody(
          'items',
          page.items.map((f) => folderResource(req, f)),
          page.nextPageToken,
          { kind: 'storage#managedFolders' },
        ),
      };
    }),

    // Before get/delete: `{managedFolder**}` would otherwise swallow the `/iam` suffix.
    route('GET', '/storage/v1/b/{bucket}/managedFolders/{managedFolder**}/iam', 'managedFolders.getIamPolicy', (req) => {
      const folder = mustFolder(req.params.bucket!, req.params.managedFolder!);
      return { json: policyBody({ kind: 'managedFolder', bucket: folder.bucket, folder: folder.name }, requested(req)) };
    }),
    route('PUT', '/storage/v1/b/{bucket}/managedFolders/{managedFolder**}/iam', 'managedFolders.setIamPolicy', (req) => {
      const folder = mustFolder(req.params.bucket!, req.params.managedFolder!);
      return setPolicy(req, { kind: 'managedFolder', bucket: folder.bucket, folder: folder.name }, mustBucket(folder.bucket));
    }),

    route('GET', '/storage/v1/b/{bucket}/managedFolders/{managedFolder**}', 'managedFolders.get', (req) => ({
      json: folderResource(req, mustFolder(req.params.bucket!, req.params.managedFolder!)),
    })),

    route('DELETE', '/storage/v1/b/{bucket}/managedFolders/{managedFolder**}', 'managedFolders.delete', (req) => {
      const folder = mustFolder(req.params.bucket!, req.params.managedFolder!);
      const key = `${folder.bucket}/${folder.name}`;
      const nonEmpty = state.listObjects(folder.bucket, folder.name).length > 0 || Object.keys(state.all('managedFolders')).some((k) => k !== key && k.startsWith(key));
      if (nonEmpty && !booleanParam(req.param('allowNonEmpty'))) {
        throw new ApiError(
          'ALREADY_EXISTS',
          `The managed folder ${folder.name} is not empty: it applies to objects or nested managed folders. Delete them first, or pass allowNonEmpty=true.`,
          'conflict',
        );
      }
      state.remove('managedFolders', key);
      removeOwnPolicy(state, { kind: 'managedFolder', bucket: folder.bucket, folder: folder.name });
      return { status: 204 };
    }),
  ];
}
