import type { IngestRunSummary, IngestSourceResult, PipelineConfig, PipelineDeps } from "@eventwire/pipeline";
import type { PreparedBody } from "./http-cache";
import type { ClientAddress, RateLimiter } from "./rate-limit";
import type { ResponseCache } from "./response-cache";

/** The pipeline's settings (its `themes` are the themes served as feeds) and the HTTP app's. */
export type ApiConfig = PipelineConfig & {
  /** Bearer token for management routes; null turns them off (503). */
  adminKey: string | null;
  /** Secret the pagination cursors' encryption keys are derived from. */
  cursorSecret: string;
  /** Base URL for links in feeds; when null, the request's own origin is used. */
  publicUrl: string | null;
  /** Items in one feed document or page. */
  feedLimit: number;
  /** max-age of feed, page and JSON GET responses, in seconds. */
  cacheMaxAgeSeconds: number;
  /**
   * Most items one API request reads while filtering a listing (search, entity, source…);
   * a page can then hold fewer items than asked for, with a cursor to read on.
   */
  filterReadLimit: number;
  version: string;
};

/**
 * Ingestion on an operator's request, for the admin routes. The app only awaits the answer:
 * locally the pipeline runs in the same process, on AWS in the ingest worker function, so the
 * API carries none of the feed parsing. A failure to get an answer is an ApiError.
 */
export type IngestRunner = {
  /** Ingests every due source now; the run's summary. */
  runDue(): Promise<IngestRunSummary>;
  /** Fetches one source now, due or not; null when no source has the id. */
  refreshSource(sourceId: string): Promise<IngestSourceResult | null>;
};

export type ApiDeps = Omit<PipelineDeps, "config"> & {
  config: ApiConfig;
  /** Runs ingestion for `POST /api/v1/ingest/run` and `POST /api/v1/sources/{id}/refresh`. */
  ingest: IngestRunner;
  /** Per-client request limits; absent or null: none. */
  rateLimiter?: RateLimiter | null;
  /** The client's address as the runtime saw it (the key of its rate-limit bucket). */
  clientAddress?: ClientAddress;
  /**
   * Rendered public GET answers (feeds, JSON reads) kept in this process; absent or null: every
   * request reads the table. Whoever writes through the same store drops what a write makes stale.
   */
  responseCache?: ResponseCache<PreparedBody> | null;
};
