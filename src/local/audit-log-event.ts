/**
 * The CloudEvent Eventarc delivers to a workflow for a Cloud Storage upload seen through Cloud Audit
 * Logs (`google.cloud.audit.log.v1.written`, methodName `storage.objects.create`). The sandbox delivers
 * it to matching triggers (event-delivery.ts); `npm run simulate --uploaded` builds one to run a workflow on.
 */
export interface UploadEventInput {
  readonly project: string;
  readonly bucket: string;
  /** Object name inside the bucket, e.g. `scoring/acme-corp/inputs/sample.jsonl`. */
  readonly object: string;
  /** When the upload was logged (RFC 3339). */
  readonly time: string;
  /** Identifies the audit-log entry; a redelivery of the same entry carries the same one. */
  readonly insertId: string;
  readonly principalEmail?: string;
}

export function auditLogUploadEvent(input: UploadEventInput): Record<string, unknown> {
  const resourceName = `projects/_/buckets/${input.bucket}/objects/${input.object}`;
  const logName = `projects/${input.project}/logs/cloudaudit.googleapis.com%2Fdata_access`;
  return {
    specversion: '1.0',
    id: `${input.project}${logName}${input.insertId}${input.time}`,
    source: `//cloudaudit.googleapis.com/${logName}`,
    type: 'google.cloud.audit.log.v1.written',
    subject: `storage.googleapis.com/${resourceName}`,
    time: input.time,
    datacontenttype: 'application/json; charset=utf-8',
    methodname: 'storage.objects.create',
    servicename: 'storage.googleapis.com',
    resourcename: resourceName,
    data: {
      insertId: input.insertId,
      logName,
      timestamp: input.time,
      receiveTimestamp: input.time,
      severity: 'INFO',
      resource: { type: 'gcs_bucket', labels: { bucket_name: input.bucket, project_id: input.project, location: 'europe-west1' } },
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        serviceName: 'storage.googleapis.com',
        methodName: 'storage.objects.create',
        resourceName,
        authenticationInfo: { principalEmail: input.principalEmail ?? 'uploader@example.com' },
        resourceLocation: { currentLocations: ['europe-west1'] },
      },
    },
  };
}
