import type { MatchExplanation } from "./matcher/matcher";

/** A feed URL the pipeline polls, with its fetch state. */
export type Source = {
  id: string;
  url: string;
  /** The feed's own title once fetched, or the name given when it was added. */
  title: string | null;
  enabled: boolean;
  createdAt: string;
  /** Validators from the last 200 response, sent back as If-None-Match / If-Modified-Since. */
  etag: string | null;
  lastModified: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  /** A sentence naming what went wrong on the last attempt, or null after a success. */
  lastError: string | null;
  consecutiveFailures: number;
  /** Seconds between polls while the source is healthy: the configured floor. */
  intervalSeconds: number;
  /**
   * The interval in use: learned from the feed's posting rate and the server's hints
   * (`Cache-Control: max-age`, RSS `<ttl>`), never below `intervalSeconds`; null until the
   * first successful fetch (then `intervalSeconds` applies).
   */
  pollIntervalSeconds: number | null;
  nextPollAt: string;
  /** Fetch each article's page and extract its main text when the feed carries only a summary. */
  fullText: boolean;
};

/** One item as a feed parser hands it over, before any cleaning. */
export type RawFeedItem = {
  /** The title as HTML, like the summary: plain-text titles come escaped. */
  title?: string | undefined;
  link?: string | undefined;
  guid?: string | undefined;
  /** False when the feed says the GUID is no permalink (RSS `isPermaLink="false"`): never a link. */
  guidIsPermaLink?: boolean | undefined;
  /** The item's date as written in the feed (RFC 822, ISO 8601, …). */
  date?: string | undefined;
  /** Summary and full text as HTML (a parser escapes plain-text fields so they read as written). */
  summaryHtml?: string | undefined;
  contentHtml?: string | undefined;
  author?: string | undefined;
  language?: string | undefined;
};

/** One normalised article as stored. */
export type Article = {
  id: string;
  /** Canonical URL; null only for items that carry neither a link nor a URL-shaped GUID. */
  url: string | null;
  guid: string | null;
  sourceId: string;
  sourceTitle: string | null;
  title: string;
  summary: string;
  text: string;
  author: string | null;
  language: string | null;
  publishedAt: string;
  /** True when the feed gave no usable date and the fetch time stands in for it. */
  dateInferred: boolean;
  fetchedAt: string;
  theme: string;
  /** False until the matcher has judged the article on-theme. */
  onTheme: boolean;
  /** Relevance to the theme (0 to 1); null until the matcher has scored it. */
  themeScore: number | null;
  /** The event the article belongs to, if any. */
  eventId: string | null;
  /** Why the matcher put the article where it is. */
  explanation: MatchExplanation | null;
  /** Hash of the normalised title and text, to recognise re-published copies. */
  contentHash: string;
  /** When a later fetch found the article's title or text edited; absent or null if never. */
  updatedAt?: string | null | undefined;
};

/** An article without its full text: what listings and feeds read. */
export type ArticleSummary = Omit<Article, "text">;

/** A named topic the pipeline follows, as feeds and pages describe it. */
export type Theme = {
  id: string;
  title: string;
  description: string;
  language: string;
};

/**
 * Structured log sink passed in as a dependency. `debug` is for what happens on every tick (a
 * poll that found nothing new); the sink decides whether it is shown.
 */
export type Log = {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};
