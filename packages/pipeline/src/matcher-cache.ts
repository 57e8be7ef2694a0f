import type { Matcher } from "@eventwire/core";

/**
 * A theme's matcher as this process holds it: a cache of the table's events, current up to
 * `seq`, the theme's change sequence. Everything in it can be rebuilt from the table, so a cold
 * start just loads it again.
 */
export type ThemeMatcherCache = {
  matcher: Matcher;
  seq: number;
  loaded: boolean;
  /** Matching for a theme runs one run of articles at a time in a process. */
  queue: Promise<unknown>;
};

/** The caches of this process, by theme. */
export type MatcherRegistry = Map<string, ThemeMatcherCache>;

/** An empty registry: each theme's cache is made on first use. */
export function createMatcherRegistry(): MatcherRegistry {
  return new Map();
}

/** Forgets what the cache holds: the next match loads it from the table again. */
export function resetCache(cache: ThemeMatcherCache): void {
  cache.matcher.index.clear();
  cache.matcher.pending = [];
  cache.loaded = false;
  cache.seq = 0;
}
