/**
 * Secret Manager v1 (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets):
 * create a secret, add versions, access a version (`latest` = the newest enabled one), which is what
 * the workflows' `googleapis.secretmanager.v1.projects.secrets.versions.accessString` connector calls.
 */
import { ApiError, invalid, foundOr, notFound, alreadyExists, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { isRecord, now, validateLabels, listUnder } from '../google-shapes.ts';
import { crc32c } from '../objects.ts';
import { publicView, type StoredResource } from '../state.ts';

const SECRET_ID = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * SecretPayload.data_crc32c (resources.proto): "optional int64"; if specified, the service verifies
 * the data against it, and SecretVersion.client_specified_payload_checksum tells the client it did
 * (gcloud `secrets versions add` reports possible corruption when that is false). An int64 is a
 * decimal string or a number in JSON. Returns whether a checksum was sent (and matched).
 * The wording of Google's mismatch error is not documented; the status (INVALID_ARGUMENT) is assumed.
 */
function payloadChecksum(sent: unknown, bytes: Uint8Array): boolean {
  if (sent === undefined || sent === null) return false;
  if (!(typeof sent === 'number' && Number.isInteger(sent)) && !(typeof sent === 'string' && /^-?\d+$/.test(sent))) {
    throw invalid(`Invalid value at 'payload.data_crc32c' (TYPE_INT64), ${JSON.stringify(sent)}`);
  }
  const actual = crc32c(bytes);
  if (BigInt(sent) !== BigInt(actual)) {
    throw invalid(
      `Checksum mismatch: payload.data_crc32c is ${String(sent)} but the CRC32C of payload.data is ${actual}; the data was corrupted in transit or the checksum was computed over other bytes.`,
    );
  }
  return true;
}

export function secretManagerRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const secretOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/secrets/${p.secret}`;
  const mustGetSecret = (name: string) => foundOr(state.get('secrets', name), `Secret [${name}] not found.`);
  const resolveVersion = (secretName: string, version: string): StoredResource => {
    mustGetSecret(secretName);
    if (version === 'latest') {
      const versions = Object.values(state.all('secretVersions'))
        .filter((v) => v.name.startsWith(`${secretName}/versions/`) && v.state === 'ENABLED')
        .sort((a, b) => Number(b.name.split('/').pop()) - Number(a.name.split('/').pop()));
      if (!versions[0]) throw notFound(`Secret Version [${secretName}/versions/latest] not found.`);
      return versions[0];
    }
    const found = state.get('secretVersions', `${secretName}/versions/${version}`);
    if (!found) throw notFound(`Secret Version [${secretName}/versions/${version}] not found.`);
    return found;
  };

  return [
    route('POST', '/v1/projects/{project}/secrets', 'secrets.create', (req) => {
      const id = req.param('secretId');
      if (!id) throw invalid('secretId is required.');
      if (!SECRET_ID.test(id)) throw invalid(`Invalid secretId "${id}": up to 255 letters, digits, underscores and hyphens.`);
      const body = req.json();
      if (!isRecord(body.replication)) throw invalid('replication is required (e.g. {"automatic": {}}).');
      validateLabels(body.labels);
      const name = `projects/${req.params.project}/secrets/${id}`;
      if (state.get('secrets', name)) throw alreadyExists(`Secret [${name}] already exists.`);
      const secret = { name, replication: body.replication, createTime: now(), etag: '"1"', ...(body.labels ? { labels: body.labels } : {}) };
      state.put('secrets', name, secret);
      return { json: secret };
    }),

    route('GET', '/v1/projects/{project}/secrets', 'secrets.list', (req) => ({
      json: listUnder(state.all('secrets'), `projects/${req.params.project}/secrets/`, req, { defaultSize: 25000, maxSize: 25000 }, 'secrets', publicView),
    })),

    route('GET', '/v1/projects/{project}/secrets/{secret}', 'secrets.get', (req) => ({ json: publicView(mustGetSecret(secretOf(req.params))) })),

    route('DELETE', '/v1/projects/{project}/secrets/{secret}', 'secrets.delete', (req) => {
      const name = secretOf(req.params);
      mustGetSecret(name);
      state.remove('secrets', name);
      for (const version of Object.keys(state.all('secretVersions'))) if (version.startsWith(`${name}/versions/`)) state.remove('secretVersions', version);
      return { json: {} };
    }),

    route('POST', '/v1/projects/{project}/secrets/{secret}:addVersion', 'secrets.addVersion', (req) => {
      const name = secretOf(req.params);
      mustGetSecret(name);
      const payload = req.json().payload;
      const data = payload?.data;
      if (typeof data !== 'string') throw invalid('payload.data is required (base64).');
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length > MAX_PAYLOAD_BYTES) throw invalid('The secret payload is larger than 64 KiB.');
      const checksum = payloadChecksum(payload.dataCrc32c ?? payload.data_crc32c, bytes);
      const versionName = state.addSecretVersion(req.params.project!, req.params.secret!, bytes, checksum);
      return { json: publicView(state.get('secretVersions', versionName)!) };
    }),

    route('GET', '/v1/projects/{project}/secrets/{secret}/versions/{version}', 'versions.get', (req) => ({
      json: publicView(resolveVersion(secretOf(req.params), req.params.version!)),
    })),

    route(
      'GET',
      '/v1/projects/{project}/secrets/{secret}/versions/{version}:access',
      'versions.access',
      (req) => {
        const version = resolveVersion(secretOf(req.params), req.params.version!);
        if (version.state !== 'ENABLED') throw new ApiError('FAILED_PRECONDITION', `Secret Version [${version.name}] is in ${version.state} state.`);
        const bytes = Buffer.from(version._data as string, 'base64');
        return { json: { name: version.name, payload: { data: bytes.toString('base64'), dataCrc32c: String(crc32c(bytes)) } } };
      },
      false,
    ),
  ];
}
