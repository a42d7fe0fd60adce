/** A generate-time problem, located inside the workflow (`main.steps[4] create_job.next`), with a fix; and Google's limits the checks apply. */
export interface DslProblem {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

export const LIMITS = {
  assignmentsPerStep: 50,
  switchConditions: 50,
  parallelBranches: 10,
  /** Workflow source size, in bytes. */
  sourceBytes: 128 * 1024,
  /** Characters of one expression, `${` and `}` included (Google's limits table: expression length). */
  expressionChars: 400,
} as const;
