/** What a load produced, and how long the cache may keep it. */
export type Loaded<V> = {
  value: V;
  /** Bytes the value holds, counted against the cache's byte bound. */
  size: number;
  /** The theme whose changes make it stale; null: a change of any theme does. */
  tag: string | null;
  /** How long it is fresh, in ms (capped by the cache's own); 0: never stored. */
  freshMs: number;
};

export type ResponseCacheOptions = {
  /** Longest time an entry is served without a refresh, in ms. */
  freshMs: number;
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** Most bytes kept (the sum of the values' sizes); a larger value is not kept at all. */
  maxBytes: number;
  /** Milliseconds on some clock. */
  now: () => number;
  /** Told when a background refresh fails; the stale entry stays until it is too old. */
  onRefreshError?: (key: string, error: unknown) => void;
};

/**
 * An in-memory cache of rendered answers: bounded LRU, per-entry freshness, one load at a time
 * per key, and stale-while-revalidate up to twice an entry's freshness.
 */
export type ResponseCache<V> = {
  /**
   * The value for `key`. Fresh: kept as is. Stale (older than its freshness, younger than twice
   * that): kept, and `load` runs once in the background to replace it. Missing or older: every
   * concurrent caller waits for one `load`.
   */
  get(key: string, load: () => Promise<Loaded<V>>): Promise<V>;
  /** The value for `key` if it is kept and fresh (counted as a use), else undefined: nothing is loaded. */
  fresh(key: string): V | undefined;
  /** Drops the entries tagged `tag` and the untagged ones; loads already running are not stored. */
  invalidate(tag: string): void;
  /** Entries and bytes held now. */
  size(): { entries: number; bytes: number };
};

type Entry<V> = { value: V; size: number; tag: string | null; storedAt: number; freshMs: number };

/** A load under way, and when it began (its answer is as old as that). */
type Flight<V> = { done: Promise<Loaded<V>>; startedAt: number };

/** A `ResponseCache` with the given bounds; `freshMs` 0 makes one that keeps nothing. */
export function createResponseCache<V>(options: ResponseCacheOptions): ResponseCache<V> {
  const entries = new Map<string, Entry<V>>();
  const flights = new Map<string, Flight<V>>();
  let bytes = 0;
  // Bumped by every invalidation: a load that began before one may have read older data.
  let generation = 0;

  function drop(key: string, entry: Entry<V>): void {
    entries.delete(key);
    bytes -= entry.size;
  }

  function keep(key: string, loaded: Loaded<V>, readAt: number): void {
    const freshMs = Math.min(loaded.freshMs, options.freshMs);
    const previous = entries.get(key);
    // A load that began before the kept entry's read does not replace it.
    if (previous !== undefined && previous.storedAt > readAt) return;
    if (previous !== undefined) drop(key, previous);
    if (freshMs <= 0 || loaded.size > options.maxBytes) return;
    // Its age counts from when the read began, so a load that took long is not taken as new.
    entries.set(key, { value: loaded.value, size: loaded.size, tag: loaded.tag, storedAt: readAt, freshMs });
    bytes += loaded.size;
    // Map order is insertion order and a hit is re-inserted, so the first key is the least recently used.
    for (const [oldest, entry] of entries) {
      if (entries.size <= options.maxEntries && bytes <= options.maxBytes) break;
      drop(oldest, entry);
    }
  }

  function start(key: string, load: () => Promise<Loaded<V>>): Flight<V> {
    const startedIn = generation;
    const startedAt = options.now();
    const flight: Flight<V> = {
      startedAt,
      done: load().then(
        (loaded) => {
          if (flights.get(key) === flight) flights.delete(key);
          if (startedIn === generation) keep(key, loaded, startedAt);
          return loaded;
        },
        (error: unknown) => {
          if (flights.get(key) === flight) flights.delete(key);
          throw error;
        },
      ),
    };
    flights.set(key, flight);
    return flight;
  }

  /**
   * The load under way for `key`, unless it began longer ago than the cache's freshness: one
   * that hangs (a request frozen with its Lambda, say) is not waited on, nor does it block a
   * refresh; a new load takes its place.
   */
  function current(key: string): Flight<V> | undefined {
    const flight = flights.get(key);
    if (flight === undefined || options.now() - flight.startedAt <= options.freshMs) return flight;
    flights.delete(key);
    return undefined;
  }

  return {
    async get(key, load) {
      const entry = entries.get(key);
      if (entry !== undefined) {
        const age = options.now() - entry.storedAt;
        if (age < 2 * entry.freshMs) {
          entries.delete(key);
          entries.set(key, entry);
          if (age >= entry.freshMs && current(key) === undefined) {
            start(key, load).done.catch((error: unknown) => options.onRefreshError?.(key, error));
          }
          return entry.value;
        }
        drop(key, entry);
      }
      const running = current(key);
      if (running === undefined) return (await start(key, load).done).value;
      const loaded = await running.done;
      // What was not to be kept was made for its own request (a cookie, a private answer): load again.
      return loaded.freshMs > 0 ? loaded.value : (await load()).value;
    },
    fresh(key) {
      const entry = entries.get(key);
      if (entry === undefined || options.now() - entry.storedAt >= entry.freshMs) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    invalidate(tag) {
      generation += 1;
      for (const [key, entry] of entries) if (entry.tag === null || entry.tag === tag) drop(key, entry);
      // Callers from now on start a new load rather than wait for one that may have read older data.
      flights.clear();
    },
    size: () => ({ entries: entries.size, bytes }),
  };
}
