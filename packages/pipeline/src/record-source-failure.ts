import { errorMessage, failedPoll, type Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import type { IngestSourceResult } from "./ingest-result";

// How a failed fetch of a source is written on the source: a failure backs the next poll off, a
// feed gone for good (or moved onto another source's feed) disables it.

/**
 * What went wrong with the store, in words fit for the source's record. The SDK's message can
 * name accounts and roles, so the source shows only the error's name (or, when the database
 * could not be reached at all, the network's code); the log keeps the rest.
 */
export function storeFailure(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (error.name === "Error" || error.name === "TypeError") {
    return typeof code === "string" ? `the database did not answer: ${code}` : "unknown error";
  }
  return error.name;
}

/** Records a failed fetch on the source, backing its next poll off, and returns the failure. */
export async function recordFailure(
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
    await deps.store.sources.recordFetch(source.id, failedPoll(source, message, attemptAt, deps.random, retryAfterSeconds));
  } catch (error) {
    deps.log.error("could not record a source failure", { sourceId: source.id, error: errorMessage(error) });
  }
  return { ok: false, sourceId: source.id, url: source.url, error: message, retryable };
}

/** A `410 Gone`: the feed was removed for good, so the source stops being polled, saying why. */
export async function recordGone(
  deps: PipelineDeps,
  source: Source,
  attemptAt: Date,
  message: string,
): Promise<IngestSourceResult> {
  deps.log.warn("source gone, disabled", { sourceId: source.id, url: source.url });
  return recordDisabled(deps, source, attemptAt, `${message}: the feed is gone, so the source is disabled`);
}

/** Disables the source, saying why in its `lastError` and how to switch it back on. */
export async function recordDisabled(
  deps: PipelineDeps,
  source: Source,
  attemptAt: Date,
  why: string,
): Promise<IngestSourceResult> {
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
