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

/** The name of the process warnings google-auth-library emits when no metadata server answers. */
export const METADATA_LOOKUP_WARNING = 'MetadataLookupWarning';

/**
 * Resolves Application Default Credentials as the SDKs will: GOOGLE_APPLICATION_CREDENTIALS, gcloud's
 * application-default file, then the metadata server (Compute Engine, Cloud Build, GKE). Throws an
 * UNAUTHENTICATED CloudError when there are none. Without a metadata server the probe emits process
 * warnings named METADATA_LOOKUP_WARNING; whether to show them is the caller's choice.
 */
export async function findApplicationDefaultCredentials(): Promise<FoundCredentials> {
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  try {
    const client = await auth.getClient();
    const email = (client as { email?: unknown }).email;
    const credentials = await auth.getCredentials().catch(() => undefined);
    const principal = typeof email === 'string' && email ? email : credentials?.client_email;
    return principal ? { principal } : {};
  } catch (error) {
    throw new CloudError('UNAUTHENTICATED', `no Application Default Credentials: ${(error as Error).message}`);
  }
}
