import {
  canonicalizeUrl,
  errorMessage,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  pollIntervalAfterSuccess,
  type Source,
} from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { fetchFeed } from "./fetch-feed";
import type { IngestCounts, IngestSourceResult } from "./ingest-result";
import { readFeed, takeBody } from "./read-feed";
import { recordDisabled, recordFailure, recordGone, storeFailure } from "./record-source-failure";
import { storeNew } from "./store-new-articles";

export type IngestSourceOptions = {
  /**
   * When the run that picked the source started. The next poll is counted from here, so a
   * source that waited behind slower ones in the run is still due on the next schedule tick.
   */
  scheduledAt?: Date | undefined;
};

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
