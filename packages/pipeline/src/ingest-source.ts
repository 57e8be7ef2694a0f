import { type Article, nextPollAfterFailure, nextPollAfterSuccess, normalizeFeedItem, type Source } from "@eventwire/core";
import pLimit from "p-limit";
import type { PipelineDeps } from "./deps";
import { fetchFeed } from "./fetch-feed";
import { type ParsedFeed, parseFeed } from "./parse-feed";

export type IngestSourceResult =
  | {
      ok: true;
      sourceId: string;
      url: string;
      status: "fetched" | "not-modified";
      items: number;
      stored: number;
      duplicates: number;
      skipped: number;
    }
  | { ok: false; sourceId: string; url: string; error: string; retryable: boolean };

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
    baseUrl: feed.link ?? source.url,
    feedLanguage: feed.language,
    fetchedAt,
    theme: deps.config.defaultTheme,
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
 * Fetches one source (conditional GET), parses and normalises its items, stores the new ones,
 * and only then advances the source's fetch state, so a crash part-way leaves the source due
 * again with nothing lost. Never throws: a failure is recorded on the source and returned.
 */
export async function ingestSource(deps: PipelineDeps, source: Source): Promise<IngestSourceResult> {
  const attemptAt = deps.now();
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
    lastAttemptAt: attemptAt.toISOString(),
    lastSuccessAt: attemptAt.toISOString(),
    lastError: null,
    consecutiveFailures: 0,
    nextPollAt: nextPollAfterSuccess(source, attemptAt, deps.random),
  };

  if (outcome.kind === "not-modified") {
    try {
      await deps.store.sources.recordFetch(source.id, success);
    } catch (error) {
      return recordFailure(deps, source, attemptAt, `could not record the fetch: ${errorMessage(error)}`, true);
    }
    return {
      ok: true,
      sourceId: source.id,
      url: source.url,
      status: "not-modified",
      items: 0,
      stored: 0,
      duplicates: 0,
      skipped: 0,
    };
  }

  const parsed = await parseFeed(outcome.body);
  if (!parsed.ok) return recordFailure(deps, source, attemptAt, `${parsed.message} (${source.url})`, false);

  const { articles, skipped } = toArticles(deps, source, parsed.feed, attemptAt);
  let stored = 0;
  let duplicates = 0;
  try {
    const limit = pLimit(deps.config.storeConcurrency);
    const results = await Promise.all(articles.map((article) => limit(() => deps.store.articles.putIfAbsent(article))));
    for (const result of results) {
      if (result === "created") stored += 1;
      else duplicates += 1;
    }
    // The validators move forward only now that every article is stored: had a write failed,
    // the next poll fetches the whole feed again instead of getting a 304 for lost items.
    await deps.store.sources.recordFetch(source.id, {
      ...success,
      etag: outcome.etag,
      lastModified: outcome.lastModified,
      ...(source.title === null && parsed.feed.title !== null ? { title: parsed.feed.title } : {}),
    });
  } catch (error) {
    return recordFailure(deps, source, attemptAt, `storing articles failed: ${errorMessage(error)}`, true);
  }
  deps.log.info("source ingested", {
    sourceId: source.id,
    url: source.url,
    items: parsed.feed.items.length,
    stored,
    duplicates,
    skipped,
  });
  return {
    ok: true,
    sourceId: source.id,
    url: source.url,
    status: "fetched",
    items: parsed.feed.items.length,
    stored,
    duplicates,
    skipped,
  };
}
