/**
 * Eventarc v1 triggers over REST (https://cloud.google.com/eventarc/docs/reference/rest/v1/projects.locations.triggers).
 * A filter change is a PATCH with an update mask: Terraform's delete-and-recreate drops the uploads
 * that arrive in between, and keeps the trigger's uid from surviving.
 */
import type { TriggerResource } from '../resources/types.ts';
import type { Live } from '../resources/live.ts';
import type { TriggersApi } from './types.ts';
import { TRIGGER_UPDATE_MASK, triggerFromApi, triggerToApi, type ApiTrigger } from './convert-workflows.ts';
import type { Operation, RestClient } from './rest.ts';

/** The API documents no maximum; larger pages only mean fewer calls. */
const PAGE_SIZE = 1000;

/** `projects/P/locations/L/triggers/T` → parent and id. */
function splitName(name: string): { parent: string; id: string } {
  const match = /^(projects\/[^/]+\/locations\/[^/]+)\/triggers\/([^/]+)$/.exec(name);
  if (!match) throw new Error(`internal: not an Eventarc trigger name: ${name}`);
  return { parent: match[1]!, id: match[2]! };
}

export class EventarcTriggers implements TriggersApi {
  constructor(private readonly rest: RestClient) {}

  async list(project: string, location: string): Promise<Live<TriggerResource>[]> {
    const parent = `projects/${project}/locations/${location}`;
    const triggers = await this.rest.listAll<ApiTrigger>(`v1/${parent}/triggers`, 'triggers', PAGE_SIZE, parent);
    return triggers.map(triggerFromApi);
  }

  async create(desired: TriggerResource): Promise<void> {
    const { parent, id } = splitName(desired.name);
    const op = await this.rest.send<Operation>('POST', `v1/${parent}/triggers`, {
      query: { triggerId: id, validateOnly: false },
      body: triggerToApi(desired),
      count: 'create',
      resource: desired.name,
    });
    await this.rest.awaitOperation(op, 'create', desired.name);
  }

  async update(desired: TriggerResource): Promise<void> {
    splitName(desired.name);
    const op = await this.rest.send<Operation>('PATCH', `v1/${desired.name}`, {
      query: { updateMask: TRIGGER_UPDATE_MASK, allowMissing: false, validateOnly: false },
      body: triggerToApi(desired),
      count: 'update',
      resource: desired.name,
    });
    await this.rest.awaitOperation(op, 'update', desired.name);
  }

  async delete(name: string): Promise<void> {
    splitName(name);
    const op = await this.rest.send<Operation>('DELETE', `v1/${name}`, {
      query: { validateOnly: false },
      count: 'delete',
      resource: name,
    });
    await this.rest.awaitOperation(op, 'delete', name);
  }
}
