/** A token bucket's settings: it holds `capacity` tokens and regains `refillPerSecond`. */
export type TokenBucketPolicy = { capacity: number; refillPerSecond: number };

/** A bucket's state: tokens left (fractional) as of `updatedAt` (epoch milliseconds). */
export type TokenBucket = { tokens: number; updatedAt: number };

/** The outcome of asking a bucket for one token, with what the client is told. */
export type TokenDecision = {
  allowed: boolean;
  bucket: TokenBucket;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one token is available (0 when allowed). */
  retryAfterSeconds: number;
};

/**
 * Takes one token from a bucket at time `now` (epoch ms): the bucket first regains what the
 * time since its last update earned, up to its capacity. A new bucket (null) starts full.
 */
export function takeToken(bucket: TokenBucket | null, policy: TokenBucketPolicy, now: number): TokenDecision {
  const elapsedSeconds = bucket === null ? 0 : Math.max(0, now - bucket.updatedAt) / 1000;
  const available =
    bucket === null ? policy.capacity : Math.min(policy.capacity, bucket.tokens + elapsedSeconds * policy.refillPerSecond);
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  return {
    allowed,
    bucket: { tokens, updatedAt: now },
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((policy.capacity - tokens) / policy.refillPerSecond),
    retryAfterSeconds: allowed ? 0 : Math.ceil((1 - tokens) / policy.refillPerSecond),
  };
}

/** Whether a bucket untouched since `bucket.updatedAt` is full again at `now`, so it can be forgotten. */
export function isBucketFull(bucket: TokenBucket, policy: TokenBucketPolicy, now: number): boolean {
  return bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * policy.refillPerSecond >= policy.capacity;
}
