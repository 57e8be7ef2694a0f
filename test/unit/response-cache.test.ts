import { createResponseCache, type Loaded, type ResponseCacheOptions } from "@eventwire/api";
import { describe, expect, it } from "vitest";

/** A cache on a clock the test moves, and a loader that counts its calls and can be held open. */
function setup(options: Partial<ResponseCacheOptions> = {}) {
  let now = 0;
  const refreshErrors: unknown[] = [];
  const cache = createResponseCache<string>({
    freshMs: 1_000,
    maxEntries: 10,
    maxBytes: 1_000,
    now: () => now,
    onRefreshError: (_key, error) => refreshErrors.push(error),
    ...options,
  });
  let calls = 0;
  let version = 0;
  const loader =
    (overrides: Partial<Loaded<string>> = {}) =>
    async (): Promise<Loaded<string>> => {
      calls += 1;
      return { value: `v${version}`, size: 10, tag: "t", freshMs: 60_000, ...overrides };
    };
  return {
    cache,
    loader,
    refreshErrors,
    calls: () => calls,
    advance: (ms: number) => {
      now += ms;
    },
    change: () => {
      version += 1;
    },
  };
}

/** A load the test finishes by hand. */
function heldLoad(value: string, calls: { count: number }, freshMs = 60_000) {
  let finish: (loaded: Loaded<string>) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<Loaded<string>>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    load: () => {
      calls.count += 1;
      return done;
    },
    finish: () => finish({ value, size: 1, tag: null, freshMs }),
    fail: (error: Error) => fail(error),
  };
}

describe("response cache", () => {
  describe("happy", () => {
    it("serves a fresh entry without loading again", async () => {
      const { cache, loader, calls, change } = setup();
      expect(await cache.get("a", loader())).toBe("v0");
      change();
      expect(await cache.get("a", loader())).toBe("v0");
      expect(calls()).toBe(1);
      expect(cache.size()).toEqual({ entries: 1, bytes: 10 });
    });

    it("serves a stale entry while one background load replaces it, then the new value", async () => {
      const { cache, loader, advance } = setup();
      await cache.get("a", loader());
      advance(1_500);
      // Stale, younger than twice its freshness: the old value at once, one refresh for all.
      const calls = { count: 0 };
      const refresh = heldLoad("new", calls);
      expect(await cache.get("a", refresh.load)).toBe("v0");
      expect(await cache.get("a", refresh.load)).toBe("v0");
      expect(calls.count).toBe(1);
      refresh.finish();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(await cache.get("a", loader())).toBe("new");
    });

    it("waits for a new load once an entry is older than twice its freshness", async () => {
      const { cache, loader, calls, change, advance } = setup();
      await cache.get("a", loader());
      change();
      advance(2_000);
      expect(await cache.get("a", loader())).toBe("v1");
      expect(calls()).toBe(2);
    });

    it("keeps an entry no longer than the freshness its load allows", async () => {
      const { cache, loader, change, advance } = setup();
      await cache.get("a", loader({ freshMs: 100 }));
      change();
      advance(200);
      expect(await cache.get("a", loader())).toBe("v1");
    });

    it("makes concurrent misses of one key wait for one load", async () => {
      const { cache } = setup();
      const calls = { count: 0 };
      const held = heldLoad("x", calls);
      const waiting = Array.from({ length: 20 }, () => cache.get("a", held.load));
      held.finish();
      expect(await Promise.all(waiting)).toEqual(Array(20).fill("x"));
      expect(calls.count).toBe(1);
    });

    it("hands out an entry only while it is fresh, loading nothing, and counts it as a use", async () => {
      const { cache, loader, calls, advance } = setup({ maxEntries: 2 });
      expect(cache.fresh("a")).toBeUndefined();
      await cache.get("a", loader());
      await cache.get("b", loader());
      expect(cache.fresh("a")).toBe("v0");
      // "a" was used last: a third key pushes out "b", the least recently used.
      await cache.get("c", loader());
      expect(cache.fresh("b")).toBeUndefined();
      expect(cache.fresh("a")).toBe("v0");
      advance(1_000);
      // Stale: not handed out, and no refresh started (that is get's, with the request's own load).
      expect(cache.fresh("a")).toBeUndefined();
      expect(calls()).toBe(3);
    });

    it("drops a theme's entries and the untagged ones on invalidation, and keeps the others", async () => {
      const { cache, loader, calls } = setup();
      await cache.get("t", loader({ tag: "t" }));
      await cache.get("u", loader({ tag: "u" }));
      await cache.get("any", loader({ tag: null }));
      cache.invalidate("t");
      expect(cache.size().entries).toBe(1);
      await cache.get("u", loader());
      expect(calls()).toBe(3);
    });
  });

  describe("error", () => {
    it("stores nothing when a load fails, and every waiter sees the failure", async () => {
      const { cache, loader } = setup();
      const calls = { count: 0 };
      const held = heldLoad("x", calls);
      const waiting = [cache.get("a", held.load), cache.get("a", held.load)];
      held.fail(new Error("table unreachable"));
      for (const result of await Promise.allSettled(waiting)) {
        expect(result).toMatchObject({ status: "rejected", reason: { message: "table unreachable" } });
      }
      expect(calls.count).toBe(1);
      expect(await cache.get("a", loader())).toBe("v0");
    });

    it("keeps serving the stale entry when its refresh fails, and reports the failure", async () => {
      const { cache, loader, refreshErrors, advance } = setup();
      await cache.get("a", loader());
      advance(1_500);
      expect(
        await cache.get("a", async () => {
          throw new Error("table unreachable");
        }),
      ).toBe("v0");
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(refreshErrors).toEqual([new Error("table unreachable")]);
      expect(await cache.get("a", loader())).toBe("v0");
    });

    it("neither waits on nor keeps as new a load that hangs past the freshness", async () => {
      const { cache, loader, advance } = setup();
      await cache.get("a", loader());
      advance(1_500);
      // The background refresh never comes back (a request frozen with its Lambda, say).
      const calls = { count: 0 };
      const hung = heldLoad("late", calls);
      expect(await cache.get("a", hung.load)).toBe("v0");
      advance(10 * 60_000);
      // Ten minutes on, a request does not join the hung load: it starts its own.
      expect(await cache.get("a", loader({ value: "now" }))).toBe("now");
      // The hung load comes back at last: what it read is ten minutes old, so it is not served as fresh.
      hung.finish();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(await cache.get("a", loader({ value: "later" }))).toBe("now");
      advance(2_000);
      expect(await cache.get("a", loader({ value: "latest" }))).toBe("latest");
    });

    it("does not store what a load began before an invalidation read", async () => {
      const { cache, loader } = setup();
      const calls = { count: 0 };
      const held = heldLoad("old", calls);
      const first = cache.get("a", held.load);
      cache.invalidate("t");
      // A request after the write starts its own load rather than wait for the older one.
      expect(await cache.get("a", loader())).toBe("v0");
      held.finish();
      expect(await first).toBe("old");
      expect(await cache.get("a", loader())).toBe("v0");
    });
  });

  describe("bounds", () => {
    it("evicts the least recently used entry past its entry bound", async () => {
      const { cache, loader, calls } = setup({ maxEntries: 2 });
      await cache.get("a", loader());
      await cache.get("b", loader());
      await cache.get("a", loader());
      await cache.get("c", loader());
      expect(cache.size().entries).toBe(2);
      await cache.get("a", loader());
      expect(calls()).toBe(3);
      await cache.get("b", loader());
      expect(calls()).toBe(4);
    });

    it("evicts past its byte bound, and never keeps a value larger than the bound", async () => {
      const { cache, loader, calls } = setup({ maxBytes: 25 });
      await cache.get("a", loader());
      await cache.get("b", loader());
      await cache.get("c", loader());
      expect(cache.size()).toEqual({ entries: 2, bytes: 20 });
      await cache.get("big", loader({ size: 26 }));
      await cache.get("big", loader({ size: 26 }));
      expect(calls()).toBe(5);
      expect(cache.size()).toEqual({ entries: 2, bytes: 20 });
    });

    it("keeps nothing a load marks as not to be kept, and loads again for each waiter", async () => {
      const { cache, loader, calls } = setup();
      await cache.get("a", loader({ freshMs: 0 }));
      await cache.get("a", loader({ freshMs: 0 }));
      expect(calls()).toBe(2);
      // A waiter does not take another request's answer that was not to be kept: it loads its own.
      const first = heldLoad("private", { count: 0 }, 0);
      const leader = cache.get("b", first.load);
      const follower = cache.get("b", loader({ freshMs: 0 }));
      first.finish();
      expect(await leader).toBe("private");
      expect(await follower).toBe("v0");
      expect(calls()).toBe(3);
    });

    it("keeps nothing with a freshness of 0", async () => {
      const { cache, loader, calls } = setup({ freshMs: 0 });
      await cache.get("a", loader());
      await cache.get("a", loader());
      expect(calls()).toBe(2);
      expect(cache.size().entries).toBe(0);
    });
  });
});
