/** Delays before the 2nd to 8th attempt; after the 8th fails, the delivery is given up. */
export const RETRY_SCHEDULE_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** An endpoint failing without a single success for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/** Longest `Retry-After` honoured: a longer one is cut to this (the schedule does not take over). */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * The delay before the next attempt after `attempts` failed ones, or null when there is none
 * left. ±10% jitter from `random` (0.5 gives the schedule's exact value) spreads the retries of
 * many deliveries that failed together.
 */
export function retryDelayMs(attempts: number, random: () => number): number | null {
  const base = RETRY_SCHEDULE_MS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.9 + 0.2 * random()));
}

/**
 * A `Retry-After` header (whole seconds or an HTTP date) as whole seconds from `now`, at least
 * 0; null when absent or unreadable. Feed fetching and webhook delivery both read it.
 */
export function retryAfterSeconds(header: string | null, now: Date): number | null {
  if (header === null || header.trim() === "") return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - now.getTime()) / 1000));
}

/** A `Retry-After` header as a webhook retry delay, in milliseconds: 1 s to a day. */
export function parseRetryAfter(header: string | null, now: Date): number | null {
  const seconds = retryAfterSeconds(header, now);
  return seconds === null ? null : Math.min(Math.max(seconds * 1000, 1000), MAX_RETRY_AFTER_MS);
}

export type AttemptResult = {
  /** The HTTP status, or null when no answer came (refused, timeout, connection error). */
  statusCode: number | null;
  error: string | null;
  retryAfterMs: number | null;
};

export type AttemptVerdict =
  | { kind: "delivered" }
  | { kind: "retry"; delayMs: number }
  | { kind: "give-up"; reason: string }
  | { kind: "disable"; reason: string };

/**
 * What to do after an attempt: a 2xx is delivered; a 410 disables the subscription; any other
 * failure is retried on the schedule (or after `Retry-After` on 429 and 503), until the
 * attempts are used up.
 */
export function judgeAttempt(result: AttemptResult, attempts: number, random: () => number): AttemptVerdict {
  const status = result.statusCode;
  if (status !== null && status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 410) return { kind: "disable", reason: "the endpoint answered 410 Gone" };
  const scheduled = retryDelayMs(attempts, random);
  if (scheduled === null) return { kind: "give-up", reason: `no answer in 2xx after ${attempts} attempts` };
  const honoured = (status === 429 || status === 503) && result.retryAfterMs !== null ? result.retryAfterMs : null;
  return { kind: "retry", delayMs: honoured ?? scheduled };
}
