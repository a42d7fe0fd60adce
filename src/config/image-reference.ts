/**
 * Container image references in workflows/product.ts (`batch.image`, `environments.ENV.image`),
 * checked at generate time so a typo fails here, not when the first Batch job cannot pull its image.
 *
 * Grammar, from Docker's reference (https://docs.docker.com/engine/reference/commandline/image_tag/):
 * `[HOST[:PORT]/]PATH[:TAG]`; HOST follows DNS rules without underscores; PATH is slash-separated
 * components of lowercase letters, digits and separators (a period, one or two underscores, or one
 * or more hyphens), not starting or ending with a separator; TAG is up to 128 letters, digits,
 * underscores, periods and hyphens, not starting with a period or hyphen. A digest `@sha256:HEX`
 * may follow (Artifact Registry: `IMAGE@IMAGE-DIGEST`, gcloud's `IMAGE@sha256:digest`).
 *
 * Artifact Registry (https://cloud.google.com/artifact-registry/docs/docker/names): an image is
 * `LOCATION-docker.pkg.dev/PROJECT-ID/REPOSITORY/IMAGE`, then `:TAG` or `@IMAGE-DIGEST`, so a
 * `*-docker.pkg.dev` reference needs at least three path components, the first a project id.
 */
import { PROJECT_ID } from '../names/naming.ts';

const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Undefined when `image` is a well-formed reference; otherwise what is wrong with it. */
export function imageReferenceProblem(image: string): string | undefined {
  if (image.trim() !== image || image === '') return 'is empty or has spaces around it';
  if (/^[a-z]+:\/\//i.test(image)) return 'is a URL; an image reference has no scheme (write HOST/PATH:TAG)';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  if (at >= 0 && !DIGEST.test(image.slice(at + 1))) return `digest "${image.slice(at + 1)}" is not sha256: and 64 lowercase hex digits`;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon + 1) : undefined;
  const repository = colon > lastSlash ? name.slice(0, colon) : name;
  if (tag !== undefined && !TAG.test(tag)) return `tag "${tag}" is not 1–128 letters, digits, "_", "." and "-" (not starting with "." or "-")`;
  const parts = repository.split('/');
  // Docker's rule: the first component is a host when it has a "." or a ":", or is "localhost".
  const host = parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost') ? parts.shift()! : undefined;
  if (host !== undefined && !HOST.test(host)) return `registry host "${host}" is not a DNS name (with an optional :PORT)`;
  const bad = parts.find((part) => !COMPONENT.test(part));
  if (bad !== undefined) return `path component "${bad}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`;
  if (host?.endsWith('-docker.pkg.dev')) {
    if (parts.length < 3) return 'an Artifact Registry image is LOCATION-docker.pkg.dev/PROJECT-ID/REPOSITORY/IMAGE';
    if (!PROJECT_ID.test(parts[0]!)) return `"${parts[0]}" is not a project id (the first path component of an Artifact Registry image)`;
  }
  return undefined;
}
