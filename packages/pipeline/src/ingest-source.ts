import {
  type Article,
  canonicalizeUrl,
  errorMessage,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  normalizeFeedItem,
  type Source,
} from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { fetchFeed } from "./fetch-feed";
import { matchArticle } from "./match-article";
import { type ParsedFeed, parseFeed } from "./parse-feed";

export type IngestSourceResult =
  | {
      ok: true;
      sourceId: string;
      url: string;
      /** `busy`: another run claimed this source first, so this one left it alone. */
      status: "fetched" | "not-modified" | "busy";
      items: number;
      stored: number;
      duplicates: number;
      skipped: number;
    }
  | { ok: false; sourceId: string; url: string; error: string; retryable: boolean };

export type IngestSourceOptions = {
  /**
   * When the run that picked the source started. The next poll is counted from here, so a
   * source that waited behind slower ones in the run is still due on the next schedule tick.
   */
  scheduledAt?: Date | undefined;
};

/** The one error DynamoDB gives for an item it will never accept (too large, say): skip the item. */
function isItemRejected(error: unknown): boolean {
  return error instanceof Error && error.name === "ValidationException";
}

async function recordFailure(
  deps: PipelineDeps,
  source: Source,
  attemptAt: Date,
  message: string,
  retryable: boolean,
): Promise<IngestSourceResult> {
  const failures = source.consecutiveFailures + 1;
  deps.log.warn("source failed", { sourceId: source.id, url: source.url, error: message, failures });
  try {
    await deps.store.sources.recordFetch(source.id, {
      lastAttemptAt: attemptAt.toISOString(),
      lastError: message,
      consecutiveFailures: failures,
      nextPollAt: nextPollAfterFailure(source, failures, attemptAt, deps.random),
    });
  } catch (error) {
    deps.log.error("could not record a source failure", { sourceId: source.id, error: errorMessage(error) });
  }
  return { ok: false, sourceId: source.id, url: source.url, error: message, retryable };
}

/** Normalises parsed items, dropping those that cannot become articles and repeats within the feed. */
function toArticles(deps: PipelineDeps, source: Source, feed: ParsedFeed, fetchedAt: Date) {
  const articles = new Map<string, Article>();
  let skipped = 0;
  const context = {
    sourceId: source.id,
    sourceTitle: source.title ?? feed.title,
    // A channel link may be relative or scheme-less; the feed's own URL anchors it.
    baseUrl: canonicalizeUrl(feed.link ?? "", source.url) ?? source.url,
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
 * Matches and stores the articles not stored yet, oldest first (the matcher works in
 * publication order). An item DynamoDB refuses is skipped; any other error throws.
 */
async function storeNew(deps: PipelineDeps, source: Source, articles: Article[]) {
  const existing = await deps.store.articles.findExisting(articles.map((article) => article.id));
  const fresh = articles
    .filter((article) => !existing.has(article.id))
    .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));
  let stored = 0;
  let skipped = 0;
  for (const article of fresh) {
    try {
      if ((await matchArticle(deps, article)).stored === "created") stored += 1;
    } catch (error) {
      if (!isItemRejected(error)) throw error;
      skipped += 1;
      deps.log.warn("article refused by the store", { sourceId: source.id, articleId: article.id, error: errorMessage(error) });
    }
  }
  return { stored, skipped, duplicates: articles.length - fresh.length + (fresh.length - stored - skipped) };
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
  const empty = { sourceId: source.id, url: source.url, items: 0, stored: 0, duplicates: 0, skipped: 0 };
  if (!claimed) return { ok: true, status: "busy", ...empty };

  const outcome = await fetchFeed(deps.fetch, {
    url: source.url,
    etag: source.etag,
    lastModified: source.lastModified,
    timeoutMs: deps.config.fetchTimeoutMs,
    maxBytes: deps.config.maxFeedBytes,
    userAgent: deps.config.userAgent,
  });
  if (outcome.kind === "error") return recordFailure(deps, source, attemptAt, outcome.message, outcome.retryable);

  const success = {
    lastSuccessAt: attemptAt.toISOString(),
    lastError: null,
    consecutiveFailures: 0,
    nextPollAt: nextPollAfterSuccess(source, options.scheduledAt ?? attemptAt, deps.random),
  };

  if (outcome.kind === "not-modified") {
    try {
      await deps.store.sources.recordFetch(source.id, success);
    } catch (error) {
      deps.log.error("could not record a fetch", { sourceId: source.id, error: errorMessage(error) });
      return recordFailure(deps, source, attemptAt, "could not record the fetch in the store", true);
    }
    return { ok: true, status: "not-modified", ...empty };
  }

  const parsed = await parseFeed(outcome.body);
  if (!parsed.ok) return recordFailure(deps, source, attemptAt, `${parsed.message} (${source.url})`, false);

  const fetchedAt = deps.now();
  try {
    const { articles, skipped: unusable } = toArticles(deps, source, parsed.feed, fetchedAt);
    const { stored, skipped, duplicates } = await storeNew(deps, source, articles);
    // The validators move forward only now that every article is stored: had a write failed,
    // the next poll fetches the whole feed again instead of getting a 304 for lost items.
    await deps.store.sources.recordFetch(source.id, {
      ...success,
      etag: outcome.etag,
      lastModified: outcome.lastModified,
      ...(source.title === null && parsed.feed.title !== null ? { title: parsed.feed.title } : {}),
    });
    const counts = { items: parsed.feed.items.length, stored, duplicates, skipped: unusable + skipped };
    deps.log.info("source ingested", { sourceId: source.id, url: source.url, ...counts });
    return { ok: true, status: "fetched", sourceId: source.id, url: source.url, ...counts };
  } catch (error) {
    // The SDK's message can name accounts and roles; the source shows only the error's name,
    // the log keeps the rest.
    deps.log.error("storing articles failed", { sourceId: source.id, error: errorMessage(error) });
    const name = error instanceof Error ? error.name : "unknown error";
    return recordFailure(
      deps,
      source,
      attemptAt,
      `storing articles failed (${name}); the next poll fetches the feed again`,
      true,
    );
  }
}
