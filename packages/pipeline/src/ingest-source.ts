import {
  type Article,
  canonicalizeUrl,
  errorMessage,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  normalizeFeedItem,
  pollIntervalAfterSuccess,
  type Source,
} from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { FULL_TEXT_BELOW_CHARS, fetchFullText } from "./extract-full-text";
import { fetchFeed } from "./fetch-feed";
import { matchArticles } from "./match-article";
import { type ParsedFeed, parseFeed } from "./parse-feed";

/** What one fetch of a source did with the feed's items. */
export type IngestCounts = {
  /** Items in the feed document. */
  items: number;
  /** New articles stored. */
  stored: number;
  /** Items already stored unchanged, and re-published copies of stored articles. */
  duplicates: number;
  /** Stored articles whose title or text the feed had edited: updated in place. */
  updated: number;
  /** New articles left for the next poll, past the per-fetch cap. */
  deferred: number;
  /** Items that could not become articles, or that the store refused. */
  skipped: number;
};

export type IngestSourceResult =
  | ({
      ok: true;
      sourceId: string;
      url: string;
      /** `busy`: another run claimed this source first, so this one left it alone. */
      status: "fetched" | "not-modified" | "busy";
    } & IngestCounts)
  | { ok: false; sourceId: string; url: string; error: string; retryable: boolean };

export type IngestSourceOptions = {
  /**
   * When the run that picked the source started. The next poll is counted from here, so a
   * source that waited behind slower ones in the run is still due on the next schedule tick.
   */
  scheduledAt?: Date | undefined;
};

export const DEFAULT_MAX_ITEMS_PER_FETCH = 500;
export const DEFAULT_FULL_TEXT_PER_FETCH = 10;
/** How many of a source's latest articles a re-published item is compared with. */
const REPUBLISH_WINDOW = 200;

/**
 * What went wrong with the store, in words fit for the source's record. The SDK's message can
 * name accounts and roles, so the source shows only the error's name (or, when the database
 * could not be reached at all, the network's code); the log keeps the rest.
 */
function storeFailure(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (error.name === "Error" || error.name === "TypeError") {
    return typeof code === "string" ? `the database did not answer: ${code}` : "unknown error";
  }
  return error.name;
}

async function recordFailure(
  deps: PipelineDeps,
  source: Source,
  attemptAt: Date,
  message: string,
  retryable: boolean,
  retryAfterSeconds: number | null = null,
): Promise<IngestSourceResult> {
  const failures = source.consecutiveFailures + 1;
  // A source failing again for the same reason says so at debug: the first failure was logged.
  const level = source.lastError === message ? "debug" : "warn";
  deps.log[level]("source failed", { sourceId: source.id, url: source.url, error: message, failures });
  try {
    await deps.store.sources.recordFetch(source.id, {
      lastAttemptAt: attemptAt.toISOString(),
      lastError: message,
      consecutiveFailures: failures,
      nextPollAt: nextPollAfterFailure(source, failures, attemptAt, deps.random, retryAfterSeconds),
    });
  } catch (error) {
    deps.log.error("could not record a source failure", { sourceId: source.id, error: errorMessage(error) });
  }
  return { ok: false, sourceId: source.id, url: source.url, error: message, retryable };
}

/** A `410 Gone`: the feed was removed for good, so the source stops being polled, saying why. */
async function recordGone(deps: PipelineDeps, source: Source, attemptAt: Date, message: string): Promise<IngestSourceResult> {
  deps.log.warn("source gone, disabled", { sourceId: source.id, url: source.url });
  return recordDisabled(deps, source, attemptAt, `${message}: the feed is gone, so the source is disabled`);
}

/** Disables the source, saying why in its `lastError` and how to switch it back on. */
async function recordDisabled(deps: PipelineDeps, source: Source, attemptAt: Date, why: string): Promise<IngestSourceResult> {
  const error = `${why} (PATCH /api/v1/sources/${source.id} with {"enabled": true} polls it again)`;
  try {
    await deps.store.sources.recordFetch(source.id, {
      enabled: false,
      lastAttemptAt: attemptAt.toISOString(),
      lastError: error,
      consecutiveFailures: source.consecutiveFailures + 1,
    });
  } catch (storeError) {
    // The claim already moved the next poll: the source is asked again then, and disabled then.
    deps.log.error("could not record a source failure", { sourceId: source.id, error: errorMessage(storeError) });
  }
  return { ok: false, sourceId: source.id, url: source.url, error, retryable: false };
}

/** Normalises parsed items, dropping those that cannot become articles and repeats within the feed. */
function toArticles(deps: PipelineDeps, source: Source, feedUrl: string, feed: ParsedFeed, fetchedAt: Date) {
  const articles = new Map<string, Article>();
  let skipped = 0;
  const context = {
    sourceId: source.id,
    sourceTitle: source.title ?? feed.title,
    // RFC 3986: a document's links resolve against the address it came from (the parser has
    // already applied any xml:base), never against the link the channel names.
    baseUrl: feedUrl,
    feedLanguage: feed.language,
    fetchedAt,
    theme: deps.config.theme.id,
  };
  for (const item of feed.items) {
    const result = normalizeFeedItem(item, context);
    if (!result.ok) {
      skipped += 1;
      deps.log.warn("feed item skipped", { sourceId: source.id, reason: result.reason });
      continue;
    }
    if (!articles.has(result.article.id)) articles.set(result.article.id, result.article);
  }
  return { articles: [...articles.values()], skipped };
}

/**
 * The body of a fetched feed, handed over once: the outcome keeps an empty string, so a large
 * document can be freed as soon as its items are read, not held while they are matched.
 */
function takeBody(outcome: { body: string }): string {
  const { body } = outcome;
  outcome.body = "";
  return body;
}

type ReadFeed =
  | { ok: false; message: string }
  | {
      ok: true;
      articles: Article[];
      /** Items that could not become articles. */
      unusable: number;
      /** Items in the document. */
      items: number;
      title: string | null;
      ttlMinutes: number | null;
      /** The publication times the feed stated (for the poll interval). */
      dated: number[];
    };

/**
 * Parses a feed document and normalises its items. Only the articles and a few facts leave
 * this function: the document and its parsed items are not kept while the articles are stored.
 */
async function readFeed(deps: PipelineDeps, source: Source, body: string, feedUrl: string, fetchedAt: Date): Promise<ReadFeed> {
  const parsed = await parseFeed(body, feedUrl);
  if (!parsed.ok) return parsed;
  const { articles, skipped } = toArticles(deps, source, feedUrl, parsed.feed, fetchedAt);
  return {
    ok: true,
    articles,
    unusable: skipped,
    items: parsed.feed.items.length,
    title: parsed.feed.title,
    ttlMinutes: parsed.feed.ttlMinutes,
    dated: articles.filter((article) => !article.dateInferred).map((article) => Date.parse(article.publishedAt)),
  };
}

/** Orders articles by publication time (ties by id), oldest first. */
function byPublication(a: Article, b: Article): number {
  return a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id);
}

/**
 * Drops new articles whose content (title and text) a recent article of the same source
 * already has, or an earlier item of this feed: a re-published item or one given a new GUID.
 * Items with no text are kept, as different reports may share a bare headline.
 */
async function withoutRepublished(deps: PipelineDeps, source: Source, fresh: Article[]) {
  if (fresh.length === 0) return { kept: fresh, republished: 0 };
  const recent = await deps.store.articles.listBySource(source.id, { limit: REPUBLISH_WINDOW });
  const known = new Set(recent.items.map((article) => article.contentHash));
  const kept: Article[] = [];
  for (const article of fresh) {
    if (article.text !== "" && known.has(article.contentHash)) continue;
    if (article.text !== "") known.add(article.contentHash);
    kept.push(article);
  }
  return { kept, republished: fresh.length - kept.length };
}

/**
 * For a source with `fullText`, replaces the short feed text of up to `fullTextPerFetch`
 * articles with the main text of their pages. The content hash stays the feed's, so the next
 * fetch of the same item still finds it unchanged. A page that fails leaves the feed text.
 */
async function withFullText(deps: PipelineDeps, source: Source, articles: Article[]): Promise<Article[]> {
  if (!source.fullText) return articles;
  let budget = deps.config.fullTextPerFetch ?? DEFAULT_FULL_TEXT_PER_FETCH;
  const out: Article[] = [];
  for (const article of articles) {
    if (budget <= 0 || article.url === null || article.text.length >= FULL_TEXT_BELOW_CHARS) {
      out.push(article);
      continue;
    }
    budget -= 1;
    const page = await fetchFullText(deps, article.url);
    if (page.ok && page.text.length > article.text.length) out.push({ ...article, text: page.text });
    else {
      if (!page.ok) deps.log.warn("full text not fetched", { sourceId: source.id, url: article.url, error: page.message });
      out.push(article);
    }
  }
  return out;
}

/**
 * Stores what is new in the feed and updates what was edited. New articles are capped at
 * `maxItemsPerFetch`, newest first (the rest wait for the next poll), and matched oldest
 * first (the matcher works in publication order). An item DynamoDB refuses is skipped; any
 * other error throws.
 */
async function storeNew(deps: PipelineDeps, source: Source, articles: Article[], fetchedAt: Date) {
  const storedHashes = await deps.store.articles.findStoredHashes(articles.map((article) => article.id));
  // An edit is the same source's item with new content. Another feed linking the same page with
  // its own summary is no edit: it would rewrite the article on every poll of either feed.
  const edited = articles.filter((article) => {
    const stored = storedHashes.get(article.id);
    return stored !== undefined && stored.sourceId === source.id && stored.contentHash !== article.contentHash;
  });
  const { kept, republished } = await withoutRepublished(
    deps,
    source,
    articles.filter((article) => !storedHashes.has(article.id)),
  );
  const cap = deps.config.maxItemsPerFetch ?? DEFAULT_MAX_ITEMS_PER_FETCH;
  const newestFirst = [...kept].sort((a, b) => byPublication(b, a));
  const batch = newestFirst.slice(0, cap).sort(byPublication);
  // Edits past the cap wait too, so the fetch is not complete until they are applied.
  const deferred = newestFirst.length - batch.length + Math.max(0, edited.length - cap);

  let stored = 0;
  let skipped = 0;
  let lost = 0;
  const results = await matchArticles(deps, await withFullText(deps, source, batch));
  for (const [index, result] of results.entries()) {
    if (result.stored === "rejected") {
      skipped += 1;
      const articleId = batch[index]?.id;
      deps.log.warn("article refused by the store", { sourceId: source.id, articleId, error: errorMessage(result.error) });
    } else if (result.stored === "created") stored += 1;
    else lost += 1;
  }
  let updated = 0;
  // Edits are bounded like new articles: a feed rewriting every item costs a few fetches.
  for (const article of await withFullText(deps, source, edited.slice(0, cap))) {
    const before = (storedHashes.get(article.id) as { contentHash: string }).contentHash;
    if ((await deps.store.articles.updateContent({ ...article, updatedAt: fetchedAt.toISOString() }, before)) === "updated")
      updated += 1;
  }
  const unchanged = articles.length - kept.length - republished - edited.length;
  return { stored, skipped, updated, deferred, duplicates: unchanged + republished + lost };
}

/**
 * Fetches one source (conditional GET), parses and normalises its items, stores the new ones,
 * and only then advances the source's fetch state, so a crash part-way leaves the source due
 * again with nothing lost. Never throws: a failure is recorded on the source and returned.
 */
export async function ingestSource(
  deps: PipelineDeps,
  source: Source,
  options: IngestSourceOptions = {},
): Promise<IngestSourceResult> {
  const attemptAt = deps.now();
  // Claim the poll before fetching: the claim moves nextPollAt as a failure would, so a run that
  // dies part-way leaves the source backing off, and a second run that read the same state
  // finds the claim taken and leaves the source alone.
  const claimed = await deps.store.sources.claimPoll(source.id, source.nextPollAt, {
    lastAttemptAt: attemptAt.toISOString(),
    nextPollAt: nextPollAfterFailure(source, source.consecutiveFailures + 1, attemptAt, deps.random),
  });
  const empty = { sourceId: source.id, url: source.url, items: 0, stored: 0, duplicates: 0, updated: 0, deferred: 0, skipped: 0 };
  if (!claimed) return { ok: true, status: "busy", ...empty };

  const outcome = await fetchFeed(
    deps.fetch,
    {
      url: source.url,
      etag: source.etag,
      lastModified: source.lastModified,
      timeoutMs: deps.config.fetchTimeoutMs,
      maxBytes: deps.config.maxFeedBytes,
      userAgent: deps.config.userAgent,
      maxRedirects: deps.config.maxRedirects,
      guard: deps.guard,
    },
    attemptAt,
  );
  if (outcome.kind === "error") {
    if (outcome.status === 410) return recordGone(deps, source, attemptAt, outcome.message);
    return recordFailure(deps, source, attemptAt, outcome.message, outcome.retryable, outcome.retryAfterSeconds);
  }

  const scheduledAt = options.scheduledAt ?? attemptAt;
  // A permanent redirect moves the source; its id stays, so configured URLs still find it.
  const movedTo = outcome.permanentUrl === null ? null : canonicalizeUrl(outcome.permanentUrl);
  const success = {
    lastSuccessAt: attemptAt.toISOString(),
    lastError: null,
    consecutiveFailures: 0,
    ...(movedTo !== null && movedTo !== source.url ? { url: movedTo } : {}),
  };
  if (movedTo !== null && movedTo !== source.url) {
    // Moved onto a feed another source already polls: two sources on one feed would store its
    // items twice (ids of items without links are per source), so this one stops.
    const twin = (await deps.store.sources.list()).find((other) => other.id !== source.id && other.url === movedTo);
    if (twin !== undefined) {
      deps.log.warn("source moved onto another source, disabled", { sourceId: source.id, to: movedTo, twin: twin.id });
      return recordDisabled(
        deps,
        source,
        attemptAt,
        `${source.url} moved permanently to ${movedTo}, which source ${twin.id} already polls, so this source is disabled`,
      );
    }
    deps.log.info("source moved permanently", { sourceId: source.id, from: source.url, to: movedTo });
  }

  if (outcome.kind === "not-modified") {
    const pollIntervalSeconds = pollIntervalAfterSuccess(source, [], { maxAgeSeconds: outcome.maxAgeSeconds });
    try {
      await deps.store.sources.recordFetch(source.id, {
        ...success,
        pollIntervalSeconds,
        nextPollAt: nextPollAfterSuccess({ ...source, pollIntervalSeconds }, scheduledAt, deps.random),
      });
    } catch (error) {
      deps.log.error("could not record a fetch", { sourceId: source.id, error: errorMessage(error) });
      return recordFailure(deps, source, attemptAt, "could not record the fetch in the store", true);
    }
    return { ok: true, status: "not-modified", ...empty };
  }

  const fetchedAt = deps.now();
  const feed = await readFeed(deps, source, takeBody(outcome), outcome.finalUrl, fetchedAt);
  if (!feed.ok) return recordFailure(deps, source, attemptAt, `${feed.message} (${outcome.finalUrl})`, false);

  try {
    const { articles, unusable, dated } = feed;
    const result = await storeNew(deps, source, articles, fetchedAt);
    const pollIntervalSeconds = pollIntervalAfterSuccess(source, dated, {
      maxAgeSeconds: outcome.maxAgeSeconds,
      ttlMinutes: feed.ttlMinutes,
    });
    // The validators move forward only now that every article is stored: had a write failed,
    // the next poll fetches the whole feed again instead of getting a 304 for lost items. With
    // articles deferred past the cap, the next poll also needs the whole feed, and soon.
    const complete = result.deferred === 0;
    await deps.store.sources.recordFetch(source.id, {
      ...success,
      etag: complete ? outcome.etag : null,
      lastModified: complete ? outcome.lastModified : null,
      pollIntervalSeconds,
      nextPollAt: nextPollAfterSuccess(
        { intervalSeconds: source.intervalSeconds, pollIntervalSeconds: complete ? pollIntervalSeconds : null },
        scheduledAt,
        deps.random,
      ),
      ...(source.title === null && feed.title !== null ? { title: feed.title } : {}),
    });
    const counts: IngestCounts = {
      items: feed.items,
      stored: result.stored,
      duplicates: result.duplicates,
      updated: result.updated,
      deferred: result.deferred,
      skipped: unusable + result.skipped,
    };
    // The run's line says what the tick did; each source's own is for debugging.
    deps.log.debug("source ingested", { sourceId: source.id, url: source.url, ...counts });
    return { ok: true, status: "fetched", sourceId: source.id, url: source.url, ...counts };
  } catch (error) {
    deps.log.error("storing articles failed", { sourceId: source.id, error: errorMessage(error) });
    return recordFailure(
      deps,
      source,
      attemptAt,
      `storing articles failed (${storeFailure(error)}); the next poll fetches the feed again`,
      true,
    );
  }
}
