import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectLayout, type ProjectLayout } from '../../src/cli/project-files.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtureClients = fileURLToPath(new URL('../generate/fixture-clients', import.meta.url));

/**
 * A scratch folder (`work`, named `PREFIX…`; the caller removes it) holding a copy of the fixture
 * clients, and the layout of a project that reads its clients from there and generates into
 * `work/generated`, with the repository's own product and workflows.
 */
export async function scratchProject(prefix: string): Promise<{ readonly work: string; readonly layout: ProjectLayout }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  await cp(fixtureClients, join(work, 'clients'), { recursive: true });
  return { work, layout: projectLayout(root, { clientsDir: join(work, 'clients'), generatedDir: join(work, 'generated') }) };
}
