import {
  createSource,
  failedPoll,
  isSourceDue,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  POLL_POLICY,
  pollIntervalAfterSuccess,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const now = new Date("2026-05-04T10:00:00Z");

function source(intervalSeconds = 300) {
  const result = createSource({ url: "https://feeds.example/a.xml?utm_source=x", intervalSeconds }, now);
  if (!result.ok) throw new Error(result.reason);
  return result.source;
}

describe("createSource", () => {
  it("canonicalises the URL, derives a stable id and is due at once", () => {
    const a = source();
    expect(a.url).toBe("https://feeds.example/a.xml");
    const sameFeed = createSource({ url: "https://FEEDS.example/a.xml#top" }, now);
    expect(sameFeed.ok && sameFeed.source.id).toBe(a.id);
    expect(isSourceDue(a, now)).toBe(true);
  });

  it.each([["ftp://feeds.example/x"], ["not a url"], [""]])("refuses %j", (url) => {
    const result = createSource({ url }, now);
    expect(result.ok).toBe(false);
  });

  it.each([
    ["https://reader:s3cret@feeds.example/a.xml"],
    ["https://reader@feeds.example/a.xml"],
    ["https://:s3cret@feeds.example/a.xml"],
    [" http://reader:s3cret@feeds.example/a.xml "],
  ])("refuses %j, which carries credentials, rather than dropping them; the reason masks them", (url) => {
    const result = createSource({ url }, now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain("URLs with credentials (user:password@) are not allowed for feed sources");
    expect(result.reason).toContain("***@feeds.example/a.xml");
    expect(result.reason).not.toMatch(/reader|s3cret/);
  });

  it("refuses an interval out of bounds", () => {
    const result = createSource({ url: "https://feeds.example/x", intervalSeconds: 1 }, now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain("intervalSeconds");
  });
});

describe("polling schedule", () => {
  it("polls again within the interval after a success, never later", () => {
    for (const random of [0, 0.5, 0.999]) {
      const next = Date.parse(nextPollAfterSuccess(source(300), now, () => random));
      expect(next).toBeGreaterThan(now.getTime() + 300_000 * (1 - POLL_POLICY.jitter) - 1);
      expect(next).toBeLessThanOrEqual(now.getTime() + 300_000);
    }
  });

  it("backs off exponentially after failures, up to a cap", () => {
    const waits = [1, 2, 3, 10, 50].map(
      (failures) => Date.parse(nextPollAfterFailure(source(300), failures, now, () => 0)) - now.getTime(),
    );
    expect(waits.slice(0, 3)).toEqual([300_000, 600_000, 1_200_000]);
    expect(waits[3]).toBe(POLL_POLICY.maxBackoffSeconds * 1000);
    expect(waits[4]).toBe(POLL_POLICY.maxBackoffSeconds * 1000);
  });

  it("waits as long as Retry-After asks when that is longer than the back-off, up to the cap", () => {
    const wait = (retryAfter: number | null) =>
      (Date.parse(nextPollAfterFailure(source(300), 1, now, () => 0, retryAfter)) - now.getTime()) / 1000;
    expect(wait(null)).toBe(300);
    expect(wait(60)).toBe(300);
    expect(wait(4000)).toBe(4000);
    expect(wait(10 ** 9)).toBe(POLL_POLICY.maxBackoffSeconds);
  });

  it("polls at the learned interval once there is one", () => {
    const next = Date.parse(nextPollAfterSuccess({ intervalSeconds: 300, pollIntervalSeconds: 3600 }, now, () => 0));
    expect(next - now.getTime()).toBe(3600_000);
  });

  it("does not poll a disabled source", () => {
    expect(isSourceDue({ ...source(), enabled: false }, now)).toBe(false);
  });
});

describe("adaptive interval", () => {
  const base = { intervalSeconds: 300, pollIntervalSeconds: null };
  const every = (minutes: number, count: number) => Array.from({ length: count }, (_, n) => now.getTime() - n * minutes * 60_000);

  it.each([
    ["a feed posting every minute stays at the configured floor", every(1, 20), 300],
    ["a feed posting every 40 minutes is polled every 20", every(40, 20), 1200],
    ["a feed posting daily is polled at the adaptive ceiling", every(24 * 60, 10), POLL_POLICY.maxAdaptiveSeconds],
    ["a single dated item says nothing about the rate", every(60, 1), 300],
    ["no dated items keep the interval", [], 300],
  ])("%s", (_name, times, expected) => {
    expect(pollIntervalAfterSuccess(base, times)).toBe(expected);
  });

  it("measures the rate on the newest items only", () => {
    // Twenty items a minute apart, then old ones a week back: the old gap does not count.
    const times = [...every(1, POLL_POLICY.rateSampleItems), now.getTime() - 7 * 86_400_000];
    expect(pollIntervalAfterSuccess(base, times)).toBe(300);
  });

  it("keeps the learned interval when a fetch brings no dates (a 304)", () => {
    expect(pollIntervalAfterSuccess({ intervalSeconds: 300, pollIntervalSeconds: 1800 }, [])).toBe(1800);
  });

  it("never polls more often than the server's max-age or <ttl> asks, up to a day", () => {
    expect(pollIntervalAfterSuccess(base, every(1, 20), { maxAgeSeconds: 900 })).toBe(900);
    expect(pollIntervalAfterSuccess(base, every(1, 20), { ttlMinutes: 60 })).toBe(3600);
    expect(pollIntervalAfterSuccess(base, every(1, 20), { maxAgeSeconds: 10 })).toBe(300);
    expect(pollIntervalAfterSuccess(base, [], { maxAgeSeconds: 10 ** 9 })).toBe(POLL_POLICY.maxHintSeconds);
  });

  it("respects a configured interval longer than the adaptive ceiling", () => {
    expect(pollIntervalAfterSuccess({ intervalSeconds: 43_200, pollIntervalSeconds: null }, every(1, 20))).toBe(43_200);
  });
});

describe("a failed poll", () => {
  it("counts one more failure, says why, and backs the next poll off, never sooner than Retry-After", () => {
    const failing = { ...source(300), consecutiveFailures: 2 };
    const fields = failedPoll(failing, "HTTP 503", now, () => 0.5);
    expect(fields).toMatchObject({ lastAttemptAt: now.toISOString(), lastError: "HTTP 503", consecutiveFailures: 3 });
    expect(fields.nextPollAt).toBe(nextPollAfterFailure(failing, 3, now, () => 0.5));
    const asked = failedPoll(failing, "HTTP 429", now, () => 0.5, 86_400);
    expect(Date.parse(asked.nextPollAt) - now.getTime()).toBeGreaterThanOrEqual(
      Math.min(86_400, POLL_POLICY.maxBackoffSeconds) * 1000,
    );
  });
});
