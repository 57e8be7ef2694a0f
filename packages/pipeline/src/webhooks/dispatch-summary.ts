/** What one dispatcher run did. */
export type DispatchSummary = {
  /** Messages made from event changes. */
  made: number;
  /** Attempts made, and how they ended. */
  attempted: number;
  delivered: number;
  failed: number;
  /** Due messages another dispatcher claimed first. */
  skipped: number;
  /** Messages this run's fan-out stored already claimed and sent (no due read, no claim write). */
  claimedAhead: number;
};
