import { sourceIdForUrl } from "./normalize-article";
import type { Source } from "./types";
import { canonicalizeUrl } from "./url";

/** Polling bounds shared by every source. */
export const POLL_POLICY = {
  defaultIntervalSeconds: 300,
  minIntervalSeconds: 5,
  maxIntervalSeconds: 24 * 3600,
  /** Backoff after failures never waits longer than this, so a source always recovers. */
  maxBackoffSeconds: 6 * 3600,
  /**
   * Share of the wait removed at random, so sources drift apart instead of polling in lockstep.
   * Only ever shortened: a source polled on a schedule tick with its own interval is then
   * always due again on the next tick.
   */
  jitter: 0.1,
} as const;

export type NewSourceInput = {
  url: string;
  title?: string | null | undefined;
  intervalSeconds?: number | undefined;
};

export type NewSourceResult = { ok: true; source: Source } | { ok: false; reason: string };

/** Builds a new source, due at once, from a URL (refused unless it is absolute http(s)). */
export function createSource(input: NewSourceInput, now: Date): NewSourceResult {
  const url = canonicalizeUrl(input.url);
  if (url === null) {
    return { ok: false, reason: `"${input.url}" is not an absolute http(s) URL` };
  }
  const interval = input.intervalSeconds ?? POLL_POLICY.defaultIntervalSeconds;
  if (!Number.isInteger(interval) || interval < POLL_POLICY.minIntervalSeconds || interval > POLL_POLICY.maxIntervalSeconds) {
    return {
      ok: false,
      reason: `intervalSeconds must be an integer from ${POLL_POLICY.minIntervalSeconds} to ${POLL_POLICY.maxIntervalSeconds} (got ${interval})`,
    };
  }
  const iso = now.toISOString();
  return {
    ok: true,
    source: {
      id: sourceIdForUrl(url),
      url,
      title: input.title?.trim() || null,
      enabled: true,
      createdAt: iso,
      etag: null,
      lastModified: null,
      lastAttemptAt: null,
      lastSuccessAt: null,
      lastError: null,
      consecutiveFailures: 0,
      intervalSeconds: interval,
      nextPollAt: iso,
    },
  };
}

/** Whether a source should be polled at `now`. */
export function isSourceDue(source: Source, now: Date): boolean {
  return source.enabled && Date.parse(source.nextPollAt) <= now.getTime();
}

function withJitter(seconds: number, random: () => number): number {
  return seconds * (1 - POLL_POLICY.jitter * random());
}

/** When to poll again after a successful fetch (including a 304). */
export function nextPollAfterSuccess(source: Source, now: Date, random: () => number): string {
  return new Date(now.getTime() + withJitter(source.intervalSeconds, random) * 1000).toISOString();
}

/**
 * When to poll again after the `failures`-th failure in a row: the interval doubled per failure,
 * capped, with jitter. There is no give-up point; a source that comes back is picked up again.
 */
export function nextPollAfterFailure(source: Source, failures: number, now: Date, random: () => number): string {
  const exponent = Math.min(Math.max(failures - 1, 0), 20);
  const wait = Math.min(source.intervalSeconds * 2 ** exponent, POLL_POLICY.maxBackoffSeconds);
  return new Date(now.getTime() + withJitter(wait, random) * 1000).toISOString();
}

/** A source's fetch status in one word: not fetched yet, healthy, failing, or switched off. */
export type SourceStatus = "pending" | "ok" | "failing" | "disabled";

/** The fetch status a source's state shows. */
export function sourceStatus(
  source: Pick<Source, "enabled" | "lastSuccessAt" | "lastError" | "consecutiveFailures">,
): SourceStatus {
  if (!source.enabled) return "disabled";
  if (source.consecutiveFailures > 0 || source.lastError !== null) return "failing";
  return source.lastSuccessAt === null ? "pending" : "ok";
}
