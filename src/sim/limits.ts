/** The execution limits the interpreter enforces, with Google's values as defaults. https://cloud.google.com/workflows/quotas */
export interface Limits {
  /** Steps per execution (Google: 100,000). */
  readonly maxSteps: number;
  /** Nested subworkflow calls (Google's call stack depth). */
  readonly maxCallDepth: number;
  /** Parallel steps nested in parallel steps (Google: 2). */
  readonly maxParallelDepth: number;
  /** Branches or iterations running at once in one parallel step (Google: 20). */
  readonly maxConcurrentBranches: number;
  /** Unhandled branch errors kept by continueAll (Google: 100). */
  readonly maxUnhandledBranchErrors: number;
}

export const DEFAULT_LIMITS: Limits = { maxSteps: 100_000, maxCallDepth: 20, maxParallelDepth: 2, maxConcurrentBranches: 20, maxUnhandledBranchErrors: 100 };
