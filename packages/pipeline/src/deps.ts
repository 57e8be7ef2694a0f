import type { Log } from "@eventwire/core";
import type { Store } from "@eventwire/store";

/** Settings the use cases read; built and validated once by functions/ or the local runner. */
export type PipelineConfig = {
  /** Theme every ingested article is filed under until the theme filter exists. */
  defaultTheme: string;
  fetchTimeoutMs: number;
  maxFeedBytes: number;
  userAgent: string;
  /** Sources fetched at the same time in one run. */
  ingestConcurrency: number;
  /** Article writes in flight at once for one source. */
  storeConcurrency: number;
};

/** What every use case receives: nothing here is created at import time. */
export type PipelineDeps = {
  store: Store;
  fetch: typeof fetch;
  now: () => Date;
  random: () => number;
  log: Log;
  config: PipelineConfig;
};
