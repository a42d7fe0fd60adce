/**
 * The IAM condition expressions this project builds, from names that were validated (src/names).
 */
import { expressionProblems } from '../iam/conditions.ts';

/**
 * CEL string literal for a value that was validated against a name rule. Refuses anything else, so a
 * condition can never be built by pasting raw input (a quote would end the literal and change the
 * expression's meaning).
 */
export function celLiteral(validatedName: string): string {
  if (!/^[A-Za-z0-9_./-]*$/.test(validatedName)) {
    throw new Error(`internal: refusing to put an unvalidated value into an IAM condition: ${JSON.stringify(validatedName)}`);
  }
  return `"${validatedName}"`;
}

/**
 * The expression of a condition this project builds, refused at once if IAM would refuse it
 * (src/iam/conditions.ts, the same check as the sandbox's setIamPolicy): a bad builder fails
 * `npm run generate` and the tests, not a production apply.
 */
function accepted(expression: string): string {
  const problems = expressionProblems(expression);
  if (problems.length) throw new Error(`internal: batch-workflows built an IAM condition that IAM refuses: ${problems.join(' ')} Expression: ${expression}`);
  return expression;
}

/**
 * Objects under a prefix: the resource name attribute, which Cloud Storage recognises in allow
 * policy role bindings (https://cloud.google.com/iam/docs/conditions-attribute-reference, "Resource
 * name attribute"), in the object name format `projects/_/buckets/BUCKET/objects/OBJECT`
 * (https://cloud.google.com/iam/docs/conditions-resource-attributes, "Resource name format").
 */
export function objectsUnder(bucket: string, prefix: string): string {
  return accepted(`resource.name.startsWith(${celLiteral(`projects/_/buckets/${bucket}/objects/${prefix}`)})`);
}

/**
 * Listing is checked on the bucket, not on objects: the bucket's resource name (same pages as
 * objectsUnder, bucket format `projects/_/buckets/BUCKET`) and the prefix the listing asks for,
 * `api.getAttribute("storage.googleapis.com/objectListPrefix", "")`, so that the grant covers only
 * listings of the client's own folder (the seed's runbook granted a list role on the whole project,
 * and named roles/storage.objectLister, which Google does not define).
 *
 * That API attribute is used in Credential Access Boundaries
 * (https://cloud.google.com/iam/docs/downscoping-short-lived-credentials, which says "Credential
 * Access Boundaries are only available for Cloud Storage"). Whether allow-policy conditions honour
 * it could not be confirmed from a primary source: the stored copies of that page and of the
 * attribute reference (https://cloud.google.com/iam/docs/conditions-attribute-reference) could only
 * be read from their beginning, which does not mention it. Where IAM does not provide it,
 * getAttribute returns its default "" and the binding grants no listing, never more than the folder. The
 * next issue moves client access to managed folders, where listing is documented.
 */
export function listUnderPrefix(bucket: string, prefix: string): string {
  return accepted(`resource.name == ${celLiteral(`projects/_/buckets/${bucket}`)} && ` + `api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith(${celLiteral(prefix)})`);
}
