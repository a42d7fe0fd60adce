/**
 * The APIs the local sandbox serves, each on its own base URL (Scheduler and Batch share REST paths,
 * so one port per API keeps routing unambiguous). Kept free of SDK imports: the sandbox, the CLI and
 * the adapters all read it.
 *
 * In port order: with `basePort: N`, workflows listens on N, workflowexecutions on N+1, ...
 */
export const SANDBOX_APIS = ['workflows', 'workflowexecutions', 'eventarc', 'cloudscheduler', 'iam', 'cloudresourcemanager', 'batch', 'secretmanager', 'storage', 'pubsub', 'iamcredentials'] as const;

export type SandboxApi = (typeof SANDBOX_APIS)[number];
