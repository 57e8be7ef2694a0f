export type { AddSourceOptions, AddSourceResult, SeedSourcesResult } from "./add-source";
export { addSource, seedSources } from "./add-source";
export type { SearchIndexBuild } from "./build-search-index";
export { buildSearchIndex, SEARCH_BUILD_ARTICLES } from "./build-search-index";
export type { SourceSettingsInput } from "./configure-source";
export { configureSource } from "./configure-source";
export type { DecodedBody } from "./decode-body";
export { decodeBody, detectCharset } from "./decode-body";
export type { PipelineConfig, PipelineDeps, WebhookSettings } from "./deps";
export { firstTheme } from "./deps";
export type { FullTextResult } from "./extract-full-text";
export { DEFAULT_FULL_TEXT_PER_FETCH, FULL_TEXT_BELOW_CHARS, fetchFullText, MAX_PAGE_BYTES } from "./extract-full-text";
export type { FetchFeedOutcome, FetchFeedRequest, FetchGuard } from "./fetch-feed";
export {
  allowEveryUrl,
  DEFAULT_MAX_REDIRECTS,
  describeFetchError,
  fetchFeed,
  parseMaxAge,
} from "./fetch-feed";
export { createGuardedFetch } from "./guarded-http";
export { importEvents } from "./import-events";
export type { IngestRunOptions, IngestRunSummary } from "./ingest-due-sources";
export { ingestDueSources, summarizeIngestRun } from "./ingest-due-sources";
export type { IngestJob, QueuedIngestResult } from "./ingest-queued-source";
export { ingestQueuedSource, planDueSources } from "./ingest-queued-source";
export type { IngestCounts, IngestSourceResult } from "./ingest-result";
export type { IngestSourceOptions } from "./ingest-source";
export { ingestSource } from "./ingest-source";
export { extractMainText, MAX_PAGE_ELEMENTS } from "./main-text";
export type { MaintenanceSummary, StoredDecision } from "./maintenance/maintain-events";
export { maintainEvents } from "./maintenance/maintain-events";
export type { ThemesMaintenance } from "./maintenance/maintain-themes";
export { maintainThemes } from "./maintenance/maintain-themes";
export { maintenanceDueAfter } from "./maintenance/trigger";
export { matchArticle, matchArticles } from "./match-article";
export { toMatchInput } from "./match-input";
export type { MatchOutcome, MatchResult } from "./match-run";
export type { MatcherRegistry, ThemeMatcherCache } from "./matcher-cache";
export { createMatcherRegistry } from "./matcher-cache";
export { WORKING_SET_EVENTS } from "./matcher-cache-sync";
export type { ParsedFeed, ParseFeedResult } from "./parse-feed";
export { parseFeed } from "./parse-feed";
export { refreshSource } from "./refresh-source";
export { DEFAULT_MAX_ITEMS_PER_FETCH } from "./store-new-articles";
export type { ConnectLookup, ResolveHost, UrlGuard, UrlGuardOptions } from "./url-guard";
export { createUrlGuard, HostUnresolvedError, systemResolveHost, UrlRefusedError } from "./url-guard";
export type { AttemptReport } from "./webhooks/attempt-delivery";
export { attemptDelivery, webhookSenderFor } from "./webhooks/attempt-delivery";
export type { DispatchOptions } from "./webhooks/dispatch-deliveries";
export { dispatchDeliveries } from "./webhooks/dispatch-deliveries";
export type { DispatchSummary } from "./webhooks/dispatch-summary";
export type { ClaimAhead, Reservation } from "./webhooks/fan-out";
export { fanOutChanges } from "./webhooks/fan-out";
export type { MessageLease } from "./webhooks/leases";
export type { SubscriptionFailure, SubscriptionInput } from "./webhooks/manage-subscriptions";
/** The subscription verbs (create, update, delete, pause, resume, rotate the secret, test, retry a delivery). */
export * as subscriptions from "./webhooks/manage-subscriptions";
export type { SendResult, WebhookSender, WebhookSenderOptions } from "./webhooks/webhook-sender";
export { createWebhookSender } from "./webhooks/webhook-sender";
