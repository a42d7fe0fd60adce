/**
 * The credentials `plan` and `apply` would use against Google Cloud, looked up once before any client
 * is built: without Application Default Credentials every SDK client fails on its own, each with a
 * long stack, and some of them reject promises nobody awaits.
 */
import { GoogleAuth } from 'google-auth-library';
import { CloudError } from './types.ts';

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface FoundCredentials {
  /** The account the calls will be made as, when the credentials say (a service account or user email). */
  readonly principal?: string;
}

/**
 * Resolves Application Default Credentials as the SDKs will: GOOGLE_APPLICATION_CREDENTIALS, gcloud's
 * application-default file, then the metadata server (Compute Engine, Cloud Build, GKE). Throws an
 * UNAUTHENTICATED CloudError when there are none. The metadata probe's warnings are not printed: a
 * missing server is the ordinary answer on a workstation, and the error says what to do.
 */
export async function findApplicationDefaultCredentials(): Promise<FoundCredentials> {
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === 'string' ? (typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type) : warning.name;
    if (name === 'MetadataLookupWarning') return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const client = await auth.getClient();
    const email = (client as { email?: unknown }).email;
    const credentials = await auth.getCredentials().catch(() => undefined);
    const principal = typeof email === 'string' && email ? email : credentials?.client_email;
    return principal ? { principal } : {};
  } catch (error) {
    throw new CloudError('UNAUTHENTICATED', `no Application Default Credentials: ${(error as Error).message}`);
  } finally {
    process.emitWarning = emitWarning;
  }
}
