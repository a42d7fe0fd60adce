/**
 * Managed folders and the own IAM policies of managed folders, topics and service accounts, over
 * REST through google-auth-library (the Node Storage SDK has no managed-folder calls):
 *
 * - managed folders: https://cloud.google.com/storage/docs/json_api/v1/managedFolder (insert, list,
 *   delete with allowNonEmpty, getIamPolicy/setIamPolicy at `…/managedFolders/F/iam`, where "the /
 *   character in the managed folder path must be escaped", managedFolder/get; the paths and fields
 *   as in gcloud's storage_v1_client.py `b/{bucket}/managedFolders/{managedFolder}[/iam]`);
 * - topics: https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/getIamPolicy;
 * - service accounts: https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/getIamPolicy.
 *
 * Policies pass through as read (policyFromApi/policyToApi): bindings we do not touch go back as
 * they came, and the etag read is the etag sent.
 */
import type { PolicyTarget } from '../resources/types.ts';
import { CloudError, type ManagedFoldersApi, type ResourceIamApi } from './types.ts';
import type { IamPolicy } from '../resources/live.ts';
import type { RestClient } from './rest.ts';
import { policyFromApi, policyToApi, type ApiSecretPolicy } from './secret-manager.ts';

/**
 * managedFolders.list page size: the query parameter is `pageSize` (gcloud's storage_v1_messages
 * StorageManagedFoldersListRequest: bucket, pageSize, pageToken, prefix); the service returns at most
 * 1,000 (ListManagedFoldersRequest.page_size, Storage Control API).
 */
const FOLDER_PAGE = 1000;
const POLICY_VERSION = 3;

function folderPath(bucket: string, folder: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{1,220}$/.test(bucket) || !folder.endsWith('/') || folder.startsWith('/')) {
    throw new Error(`internal: not a managed folder: gs://${bucket}/${folder}`);
  }
  return `storage/v1/b/${bucket}/managedFolders/${encodeURIComponent(folder)}`;
}

function splitFolder(name: string): { bucket: string; folder: string } {
  const match = /^gs:\/\/([^/]+)\/(.+\/)$/.exec(name);
  if (!match) throw new Error(`internal: not a managed folder URL: ${name}`);
  return { bucket: match[1]!, folder: match[2]! };
}

export class RestManagedFolders implements ManagedFoldersApi {
  constructor(private readonly rest: RestClient) {}

  async list(bucket: string, prefix: string): Promise<string[]> {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.rest.send<{ items?: { name?: string }[]; nextPageToken?: string } | ''>('GET', `storage/v1/b/${bucket}/managedFolders`, {
        query: { prefix, pageSize: FOLDER_PAGE, pageToken },
        count: 'managedFolders.list',
        resource: `gs://${bucket}/${prefix}`,
      });
      const record = page && typeof page === 'object' ? page : {};
      for (const item of record.items ?? []) if (item.name) names.push(item.name);
      pageToken = record.nextPageToken || undefined;
    } while (pageToken);
    return names;
  }

  async create(bucket: string, folder: string): Promise<void> {
    folderPath(bucket, folder);
    await this.rest.send('POST', `storage/v1/b/${bucket}/managedFolders`, { body: { name: folder }, count: 'managedFolders.insert', resource: `gs://${bucket}/${folder}` });
  }

  async delete(bucket: string, folder: string): Promise<void> {
    await this.rest.send('DELETE', folderPath(bucket, folder), { query: { allowNonEmpty: true }, count: 'managedFolders.delete', resource: `gs://${bucket}/${folder}` });
  }
}

/** One adapter for the three kinds of resource policy: the REST client of each API. */
export class RestResourceIam implements ResourceIamApi {
  constructor(private readonly clients: { readonly storage: RestClient; readonly pubsub: RestClient; readonly iam: RestClient }) {}

  async getPolicy(target: PolicyTarget, name: string): Promise<IamPolicy | undefined> {
    try {
      const policy = await this.read(target, name);
      return policyFromApi(policy && typeof policy === 'object' ? policy : {});
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async setPolicy(target: PolicyTarget, name: string, policy: IamPolicy): Promise<IamPolicy> {
    const body = policyToApi(policy);
    let written: ApiSecretPolicy | '';
    switch (target) {
      case 'managedFolder': {
        const { bucket, folder } = splitFolder(name);
        // The JSON API takes the Policy itself as the body of a PUT (managedFolder/setIamPolicy).
        written = await this.clients.storage.send('PUT', `${folderPath(bucket, folder)}/iam`, { body, count: 'managedFolders.setIamPolicy', resource: name });
        break;
      }
      case 'topic':
      case 'serviceAccount': {
        const holder = methodHolder(target, name);
        written = await this.clients[holder.api].send('POST', `v1/${name}:setIamPolicy`, { body: { policy: body }, count: `${holder.collection}.setIamPolicy`, resource: name });
        break;
      }
    }
    return policyFromApi(written && typeof written === 'object' ? written : {});
  }

  private read(target: PolicyTarget, name: string): Promise<ApiSecretPolicy | ''> {
    switch (target) {
      case 'managedFolder': {
        const { bucket, folder } = splitFolder(name);
        return this.clients.storage.send('GET', `${folderPath(bucket, folder)}/iam`, {
          query: { optionsRequestedPolicyVersion: POLICY_VERSION },
          count: 'managedFolders.getIamPolicy',
          resource: name,
        });
      }
      case 'topic':
      case 'serviceAccount': {
        const holder = methodHolder(target, name);
        return this.clients[holder.api].send(holder.getVerb, `v1/${name}:getIamPolicy`, {
          query: { 'options.requestedPolicyVersion': POLICY_VERSION },
          count: `${holder.collection}.getIamPolicy`,
          resource: name,
        });
      }
    }
  }
}

/** The resources whose policy is read and written by the methods `NAME:getIamPolicy` and `NAME:setIamPolicy`. */
const METHOD_POLICY_HOLDERS = {
  topic: { api: 'pubsub', collection: 'topics', pattern: /^projects\/[^/]+\/topics\/[^/]+$/, getVerb: 'GET' },
  // IAM's getIamPolicy is a POST; the version is the request field options_requestedPolicyVersion
  // (gcloud's iam_v1_messages.IamProjectsServiceAccountsGetIamPolicyRequest), a query parameter.
  serviceAccount: { api: 'iam', collection: 'serviceAccounts', pattern: /^projects\/[^/]+\/serviceAccounts\/[^/]+$/, getVerb: 'POST' },
} as const;

function methodHolder(target: keyof typeof METHOD_POLICY_HOLDERS, name: string): (typeof METHOD_POLICY_HOLDERS)[typeof target] {
  const holder = METHOD_POLICY_HOLDERS[target];
  if (!holder.pattern.test(name)) throw new Error(`internal: not a resource name: ${name}`);
  return holder;
}
