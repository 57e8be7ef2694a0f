import { createMemoryRateLimiter } from "@eventwire/api";
import { isBucketFull, type TokenBucketPolicy, takeToken } from "@eventwire/core";
import { describe, expect, it } from "vitest";

const policy: TokenBucketPolicy = { capacity: 3, refillPerSecond: 0.5 };

describe("token bucket", () => {
  it("starts full and spends one token a request", () => {
    const first = takeToken(null, policy, 0);
    expect(first).toMatchObject({ allowed: true, remaining: 2, retryAfterSeconds: 0, resetSeconds: 2 });
    const second = takeToken(first.bucket, policy, 0);
    const third = takeToken(second.bucket, policy, 0);
    expect([second.remaining, third.remaining]).toEqual([1, 0]);
    expect(third.resetSeconds).toBe(6);
  });

  it.each([
    // [ms since the bucket ran dry, allowed, retry-after seconds]
    [0, false, 2],
    [1_000, false, 1],
    [1_999, false, 1],
    [2_000, true, 0],
  ])("refuses until a token has grown back: %i ms after running dry", (elapsed, allowed, retryAfter) => {
    const empty = { tokens: 0, updatedAt: 10_000 };
    const decision = takeToken(empty, policy, 10_000 + elapsed);
    expect(decision.allowed).toBe(allowed);
    expect(decision.retryAfterSeconds).toBe(retryAfter);
  });

  it("never holds more than its capacity, and ignores a clock that goes back", () => {
    expect(takeToken({ tokens: 0, updatedAt: 0 }, policy, 3_600_000).remaining).toBe(2);
    expect(takeToken({ tokens: 1.5, updatedAt: 5_000 }, policy, 1_000)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("says when a bucket is full again and can be forgotten", () => {
    expect(isBucketFull({ tokens: 2, updatedAt: 0 }, policy, 1_999)).toBe(false);
    expect(isBucketFull({ tokens: 2, updatedAt: 0 }, policy, 2_000)).toBe(true);
  });
});

describe("memory rate limiter", () => {
  it("keeps a bucket per key", () => {
    let now = 0;
    const limiter = createMemoryRateLimiter(policy, () => new Date(now));
    for (let request = 0; request < 3; request += 1) expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
    now = 2_000;
    expect(limiter.take("a").allowed).toBe(true);
  });

  it("forgets full buckets, then the least recently used, past its size", () => {
    const limiter = createMemoryRateLimiter(policy, () => new Date(0), 2);
    for (let request = 0; request < 3; request += 1) limiter.take("spent");
    limiter.take("other");
    limiter.take("spent");
    // A third key evicts the least recently used ("other"); "spent" stays empty.
    limiter.take("third");
    expect(limiter.take("spent").allowed).toBe(false);
  });
});
