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
  /**
   * The adaptive interval never grows past this (or the configured interval, when that is
   * longer): a quiet feed is still looked at a few times a day.
   */
  maxAdaptiveSeconds: 2 * 3600,
  /** How many of the newest dated items measure a feed's posting rate. */
  rateSampleItems: 20,
  /** Server hints (max-age, `<ttl>`, Retry-After) are obeyed up to this long. */
  maxHintSeconds: 24 * 3600,
} as const;

export type NewSourceInput = {
  url: string;
  title?: string | null | undefined;
  intervalSeconds?: number | undefined;
  fullText?: boolean | undefined;
};

export type NewSourceResult = { ok: true; source: Source } | { ok: false; reason: string };

/** The URL as given with its user name and password masked; null when it carries none. */
function maskedCredentials(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.username === "" && url.password === "") return null;
  url.username = "***";
  url.password = "";
  return url.toString();
}

/**
 * Builds a new source, due at once, from a URL: refused unless it is absolute http(s) and
 * carries no user name or password (canonical URLs drop them, so the feed would be polled
 * without the login the operator meant to give).
 */
export function createSource(input: NewSourceInput, now: Date): NewSourceResult {
  const masked = maskedCredentials(input.url);
  if (masked !== null) {
    return {
      ok: false,
      reason: `"${masked}" is refused: URLs with credentials (user:password@) are not allowed for feed sources`,
    };
  }
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
      pollIntervalSeconds: null,
      nextPollAt: iso,
      fullText: input.fullText ?? false,
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

/** What a response said about how often to come back. */
export type PollHints = {
  /** `Cache-Control: max-age` of the feed response, seconds. */
  maxAgeSeconds?: number | null | undefined;
  /** RSS `<ttl>`, minutes. */
  ttlMinutes?: number | null | undefined;
};

/**
 * The interval a source should be polled at after a successful fetch. From the feed's posting
 * rate when it has dated items (half the mean gap between its newest items, so a new item
 * waits about a quarter of a gap on average), between the configured interval and
 * `maxAdaptiveSeconds`; else the interval in use. Then no shorter than the server's
 * `max-age` or `<ttl>` asks (up to `maxHintSeconds`).
 */
export function pollIntervalAfterSuccess(
  source: Pick<Source, "intervalSeconds" | "pollIntervalSeconds">,
  itemTimes: readonly number[],
  hints: PollHints = {},
): number {
  const floor = source.intervalSeconds;
  const ceiling = Math.max(floor, POLL_POLICY.maxAdaptiveSeconds);
  let interval = source.pollIntervalSeconds ?? floor;
  const newest = [...itemTimes]
    .filter((time) => Number.isFinite(time))
    .sort((a, b) => b - a)
    .slice(0, POLL_POLICY.rateSampleItems);
  const first = newest[0];
  const last = newest.at(-1);
  if (newest.length >= 2 && first !== undefined && last !== undefined) {
    const meanGapSeconds = (first - last) / 1000 / (newest.length - 1);
    interval = Math.min(Math.max(Math.round(meanGapSeconds / 2), floor), ceiling);
  }
  const hinted = Math.max(hints.maxAgeSeconds ?? 0, (hints.ttlMinutes ?? 0) * 60);
  if (hinted > interval) interval = Math.min(hinted, Math.max(POLL_POLICY.maxHintSeconds, floor));
  return Math.max(interval, floor);
}

/** When to poll again after a successful fetch (including a 304), at the interval in use. */
export function nextPollAfterSuccess(
  source: Pick<Source, "intervalSeconds" | "pollIntervalSeconds">,
  now: Date,
  random: () => number,
): string {
  const interval = source.pollIntervalSeconds ?? source.intervalSeconds;
  return new Date(now.getTime() + withJitter(interval, random) * 1000).toISOString();
}

/**
 * When to poll again after the `failures`-th failure in a row: the interval doubled per failure,
 * capped, with jitter; no sooner than a `Retry-After` the server sent (itself bounded). There
 * is no give-up point; a source that comes back is picked up again.
 */
export function nextPollAfterFailure(
  source: Pick<Source, "intervalSeconds">,
  failures: number,
  now: Date,
  random: () => number,
  retryAfterSeconds: number | null = null,
): string {
  const exponent = Math.min(Math.max(failures - 1, 0), 20);
  const backoff = withJitter(Math.min(source.intervalSeconds * 2 ** exponent, POLL_POLICY.maxBackoffSeconds), random);
  const asked = retryAfterSeconds === null ? 0 : Math.min(Math.max(retryAfterSeconds, 0), POLL_POLICY.maxBackoffSeconds);
  return new Date(now.getTime() + Math.max(backoff, asked) * 1000).toISOString();
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

/**
 * What one more failed poll writes on a source: when, why, how many in a row, and the next
 * poll backed off accordingly (the server's Retry-After, when it gave one, as a floor).
 */
export function failedPoll(
  source: Pick<Source, "intervalSeconds" | "consecutiveFailures">,
  message: string,
  at: Date,
  random: () => number,
  retryAfterSeconds: number | null = null,
): Pick<Source, "lastAttemptAt" | "lastError" | "consecutiveFailures" | "nextPollAt"> {
  const failures = source.consecutiveFailures + 1;
  return {
    lastAttemptAt: at.toISOString(),
    lastError: message,
    consecutiveFailures: failures,
    nextPollAt: nextPollAfterFailure(source, failures, at, random, retryAfterSeconds),
  };
}
