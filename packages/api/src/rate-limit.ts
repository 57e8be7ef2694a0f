import { isBucketFull, type TokenBucket, type TokenBucketPolicy, type TokenDecision, takeToken } from "@eventwire/core";
import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "./errors";

/** Hands out tokens per client key. */
export type RateLimiter = { policy: TokenBucketPolicy; take(key: string): TokenDecision };

/**
 * A token bucket per key, kept in this process's memory: right for one server (the local
 * runner); on Lambda each warm instance keeps its own (see the design note under "Rate limit" in docs/http-api.md). At most
 * `maxKeys` buckets are kept: full ones are forgotten first (a full bucket is what a new one
 * is), then the least recently used.
 */
export function createMemoryRateLimiter(policy: TokenBucketPolicy, now: () => Date, maxKeys = 10_000): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  function evict(at: number): void {
    for (const [key, bucket] of buckets) if (isBucketFull(bucket, policy, at)) buckets.delete(key);
    // Map order is insertion order and a used key is re-inserted, so the first is the stalest.
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  }
  return {
    policy,
    take(key) {
      const at = now().getTime();
      const decision = takeToken(buckets.get(key) ?? null, policy, at);
      buckets.delete(key);
      if (buckets.size >= maxKeys) evict(at);
      buckets.set(key, decision.bucket);
      return decision;
    },
  };
}

/** Where a client's requests are counted: its address as the runtime saw it. */
export type ClientAddress = (c: Context) => string | undefined;

// Load balancers and uptime checks poll it; it costs one DescribeTable.
const EXEMPT = new Set(["/health"]);

/**
 * Counts each request against its client's bucket and says so in `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` (the IETF httpapi draft's
 * fields); past the limit, a `429` with `Retry-After`. Off when the deps carry no limiter.
 */
export function rateLimit(deps: { rateLimiter?: RateLimiter | null; clientAddress?: ClientAddress }): MiddlewareHandler {
  return async (c, next) => {
    const limiter = deps.rateLimiter;
    if (limiter === undefined || limiter === null || EXEMPT.has(c.req.path)) return next();
    const decision = limiter.take(deps.clientAddress?.(c) ?? "unknown");
    const { capacity, refillPerSecond } = limiter.policy;
    const headers: Record<string, string> = {
      "RateLimit-Limit": String(capacity),
      "RateLimit-Remaining": String(decision.remaining),
      "RateLimit-Reset": String(decision.resetSeconds),
      "RateLimit-Policy": `${capacity};w=${Math.ceil(capacity / refillPerSecond)}`,
    };
    if (!decision.allowed) {
      const seconds = decision.retryAfterSeconds;
      return c.json(errorBody(c, "rate_limited", `too many requests from this address: try again in ${seconds} s`), 429, {
        ...headers,
        "Retry-After": String(seconds),
      });
    }
    await next();
    // After the handler and the etag middleware, so a 304 carries them too.
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
