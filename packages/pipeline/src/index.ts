export type { AddSourceResult } from "./add-source";
export { addSource, seedSources } from "./add-source";
export type { SourceSettingsInput } from "./configure-source";
export { configureSource } from "./configure-source";
export type { PipelineConfig, PipelineDeps } from "./deps";
export type { FullTextResult } from "./extract-full-text";
export { extractMainText, FULL_TEXT_BELOW_CHARS, fetchFullText } from "./extract-full-text";
export type { FetchFeedOutcome, FetchFeedRequest, FetchGuard } from "./fetch-feed";
export {
  allowEveryUrl,
  DEFAULT_MAX_REDIRECTS,
  describeFetchError,
  detectCharset,
  fetchFeed,
  parseMaxAge,
  parseRetryAfter,
} from "./fetch-feed";
export type { IngestRunOptions, IngestRunSummary } from "./ingest-due-sources";
export { ingestDueSources, summarizeIngestRun } from "./ingest-due-sources";
export type { IngestJob, QueuedIngestResult } from "./ingest-queued-source";
export { ingestQueuedSource, planDueSources } from "./ingest-queued-source";
export type { IngestCounts, IngestSourceOptions, IngestSourceResult } from "./ingest-source";
export { DEFAULT_FULL_TEXT_PER_FETCH, DEFAULT_MAX_ITEMS_PER_FETCH, ingestSource } from "./ingest-source";
export type { MatcherRegistry, MatchOutcome, ThemeMatcherCache } from "./match-article";
export { createMatcherRegistry, importEvents, matchArticle, toMatchInput, WORKING_SET_EVENTS } from "./match-article";
export type { ParsedFeed, ParseFeedResult } from "./parse-feed";
export { parseFeed } from "./parse-feed";
export { INGEST_SCHEDULE_EXPRESSION, INGEST_SCHEDULE_MINUTES } from "./schedule";
