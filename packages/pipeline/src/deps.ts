import type { Log, MatcherModel, ThemeDefinition } from "@eventwire/core";
import type { Store } from "@eventwire/store";
import type { MatcherRegistry } from "./match-article";

/** Settings the use cases read; built and validated once by functions/ or the local runner. */
export type PipelineConfig = {
  /** The theme every ingested article is judged against. */
  theme: ThemeDefinition;
  /** The matcher's trained weights and thresholds. */
  model: MatcherModel;
  fetchTimeoutMs: number;
  maxFeedBytes: number;
  userAgent: string;
  /** Sources fetched at the same time in one run. */
  ingestConcurrency: number;
};

/** What every use case receives: nothing here is created at import time. */
export type PipelineDeps = {
  store: Store;
  fetch: typeof fetch;
  now: () => Date;
  random: () => number;
  log: Log;
  config: PipelineConfig;
  /** This process's caches of the table's events, one per theme (rebuilt on a cold start). */
  matchers: MatcherRegistry;
};
