import { createHash } from "node:crypto";
import { type ApiConfig, type ApiDeps, cachedGet, createApp, keepableMs } from "@eventwire/api";
import type { Store } from "@eventwire/store";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { withResponseCache } from "../../functions/deps";
import { storeFixtureFeedsOnTheme } from "../support/articles";
import { createTestDeps, TEST_ADMIN_KEY, type TestClock } from "../support/deps";
import { storeStory } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";
import { CHECKPOINT_STORY, DAM_STORY, TALKS_STORY } from "../support/stories";

const FRESH_SECONDS = 5;
// Stored articles were fetched at 10:00; an hour on, their dates are settled for If-Modified-Since.
const START = "2026-05-04T11:00:00Z";

let db: TestStore;

beforeAll(async () => {
  db = await createTestStore();
  await storeFixtureFeedsOnTheme(db.store, ["rss2.xml", "atom.xml"]);
  await storeStory(db.store, DAM_STORY);
});

afterAll(async () => {
  await db.drop();
});

/** The real store, with every repository call counted on its way through. */
function countingStore(store: Store): { store: Store; calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>();
  const counted = <T extends object>(name: string, repository: T): T =>
    new Proxy(repository, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const key = `${name}.${String(property)}`;
          calls.set(key, (calls.get(key) ?? 0) + 1);
          return value.apply(target, args);
        };
      },
    });
  return {
    store: { ...store, articles: counted("articles", store.articles), events: counted("events", store.events) },
    calls,
    total: () => [...calls.values()].reduce((sum, count) => sum + count, 0),
  };
}

/** An app over the shared table with its own cache, as `buildApiDeps` wires one, and a count of store calls. */
function cachedApp(seconds = FRESH_SECONDS, config: Partial<ApiConfig> = {}) {
  const counting = countingStore(db.store);
  const base = createTestDeps(counting.store, config, START);
  const deps = withResponseCache(base, seconds);
  return { app: createApp(deps), deps, clock: base.clock as TestClock, counting };
}

const eventId = (title: string) => createHash("sha256").update(`event:${title}`).digest("hex").slice(0, 32);

const VALIDATORS = ["etag", "last-modified", "cache-control", "content-type", "vary"];
const validators = (response: Response) => VALIDATORS.map((name) => response.headers.get(name));

describe("response cache", () => {
  describe("happy", () => {
    it.each([
      "/feeds/isis-syria.rss",
      "/feeds/isis-syria.json",
      "/feeds/isis-syria/events.atom",
      `/feeds/events/${eventId(DAM_STORY.title)}.rss`,
      "/api/v1/events?limit=50",
      "/api/v1/articles?limit=5",
      `/api/v1/events/${eventId(DAM_STORY.title)}`,
    ])("GET %s: a hit answers the same bytes and validators, reading nothing", async (path) => {
      const { app, counting } = cachedApp();
      const first = await app.request(path);
      const reads = counting.total();
      expect(reads).toBeGreaterThan(0);
      const second = await app.request(path);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get("etag")).toMatch(/^"/);
      expect(validators(second)).toEqual(validators(first));
      expect(new Uint8Array(await second.arrayBuffer())).toEqual(new Uint8Array(await first.arrayBuffer()));
      expect(counting.total()).toBe(reads);
    });

    it("answers conditional requests and HEAD from a kept body as it did before", async () => {
      const { app, counting } = cachedApp();
      const path = "/feeds/isis-syria.atom";
      const full = await app.request(path);
      const reads = counting.total();
      const etag = full.headers.get("etag") ?? "";
      const lastModified = full.headers.get("last-modified") ?? "";

      const byEtag = await app.request(path, { headers: { "if-none-match": etag } });
      expect(byEtag.status).toBe(304);
      expect(byEtag.headers.get("etag")).toBe(etag);
      expect(byEtag.headers.get("last-modified")).toBe(lastModified);

      const byDate = await app.request(path, { headers: { "if-modified-since": lastModified } });
      expect(byDate.status).toBe(304);
      expect(byDate.headers.get("etag")).toBe(etag);
      // If-None-Match wins: a stale tag gets the body even with a matching date.
      const both = await app.request(path, { headers: { "if-none-match": '"old"', "if-modified-since": lastModified } });
      expect(both.status).toBe(200);

      const head = await app.request(path, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(validators(head)).toEqual(validators(full));
      expect(await head.text()).toBe("");
      expect(counting.total()).toBe(reads);
    });

    it("keeps one body per format an Accept header chooses for .xml", async () => {
      const { app } = cachedApp();
      for (let round = 0; round < 2; round += 1) {
        const atom = await app.request("/feeds/isis-syria.xml", { headers: { accept: "application/atom+xml" } });
        const rss = await app.request("/feeds/isis-syria.xml", { headers: { accept: "application/rss+xml" } });
        expect(atom.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
        expect(await atom.text()).toContain("<feed");
        expect(rss.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
        expect(await rss.text()).toContain("<rss");
        expect(rss.headers.get("vary")).toBe("Accept");
      }
    });

    it("keeps one body per host, whose links it carries", async () => {
      const { app } = cachedApp();
      for (const host of ["one.example", "two.example", "one.example"]) {
        const body = await (await app.request(`http://${host}/api/v1/events`)).text();
        expect(body).toContain(`http://${host}/api/v1/events/`);
        expect(body).not.toContain(host === "one.example" ? "two.example" : "one.example");
      }
    });

    it("makes one store read for many concurrent misses of one URL", async () => {
      const { app, counting } = cachedApp();
      const responses = await Promise.all(Array.from({ length: 20 }, () => app.request("/feeds/isis-syria.rss")));
      const bodies = new Set(await Promise.all(responses.map((response) => response.text())));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(bodies.size).toBe(1);
      expect(counting.calls.get("articles.pageByTheme")).toBe(1);
      expect(counting.calls.get("events.changedAt")).toBe(1);
    });

    it("shows what this process commits at once: the write drops that theme's answers", async () => {
      const { app, deps } = cachedApp();
      const before = (await (await app.request("/api/v1/events")).json()) as { items: { title: string }[] };
      const feedBefore = await (await app.request("/feeds/isis-syria.rss")).text();
      expect(before.items.map((item) => item.title)).not.toContain(CHECKPOINT_STORY.title);
      await storeStory(deps.store, CHECKPOINT_STORY);
      const after = (await (await app.request("/api/v1/events")).json()) as { items: { title: string }[] };
      expect(after.items.map((item) => item.title)).toContain(CHECKPOINT_STORY.title);
      const feedAfter = await (await app.request("/feeds/isis-syria.rss")).text();
      expect(feedAfter).not.toBe(feedBefore);
      expect(feedAfter).toContain(CHECKPOINT_STORY.articles[0]?.title);
    });

    it("shows another process's write once the freshness has run out, serving the old body meanwhile", async () => {
      const { app, clock } = cachedApp();
      const titles = async () =>
        ((await (await app.request("/api/v1/events")).json()) as { items: { title: string }[] }).items.map((item) => item.title);
      expect(await titles()).not.toContain(TALKS_STORY.title);
      // Written past this process's store, as a separate ingest function would.
      await storeStory(db.store, TALKS_STORY);
      expect(await titles()).not.toContain(TALKS_STORY.title);
      // Stale: still the old body, while one refresh reads the new one.
      clock.advance(FRESH_SECONDS * 1000 * 1.5);
      expect(await titles()).not.toContain(TALKS_STORY.title);
      await vi.waitFor(async () => expect(await titles()).toContain(TALKS_STORY.title), { timeout: 15_000, interval: 50 });
    });

    it("waits for a new read once a body is older than twice the freshness", async () => {
      const { app, clock, counting } = cachedApp();
      await app.request("/api/v1/articles?limit=2");
      clock.advance(FRESH_SECONDS * 1000 * 2);
      await app.request("/api/v1/articles?limit=2");
      expect(counting.calls.get("articles.filterPage")).toBe(2);
    });

    it("reads every time with a freshness of 0", async () => {
      const { app, counting, deps } = cachedApp(0);
      expect(deps.responseCache).toBeNull();
      await app.request("/api/v1/events");
      await app.request("/api/v1/events");
      expect(counting.calls.get("events.filterByTheme")).toBe(2);
    });
  });

  describe("error", () => {
    it("never keeps an error: a 404 becomes a 200 once the event exists", async () => {
      const { app } = cachedApp();
      const story = {
        title: "Bridge shelled near Deir ez-Zor",
        articles: [{ source: "wire.example", published: "2026-05-03T09:00:00Z", title: "Shelling hits the Deir ez-Zor bridge" }],
      };
      const path = `/api/v1/events/${eventId(story.title)}`;
      expect((await app.request(path)).status).toBe(404);
      expect((await app.request(`/feeds/events/${eventId(story.title)}.rss`)).status).toBe(404);
      // Past this process's store, so no invalidation hides a kept 404.
      await storeStory(db.store, story);
      expect((await app.request(path)).status).toBe(200);
      expect((await app.request(`/feeds/events/${eventId(story.title)}.rss`)).status).toBe(200);
    });

    it("never keeps a 400, and each one carries its own request id", async () => {
      const { app } = cachedApp();
      const first = await app.request("/api/v1/events?limit=0");
      const second = await app.request("/api/v1/events?limit=0");
      expect([first.status, second.status]).toEqual([400, 400]);
      const ids = await Promise.all(
        [first, second].map(async (response) => ((await response.json()) as { error: { requestId: string } }).error.requestId),
      );
      expect(ids[0]).not.toBe(ids[1]);
    });
  });

  describe("security", () => {
    it("never keeps an admin answer", async () => {
      const webhooks = { allowPrivateUrls: true, timeoutMs: 5_000, concurrencyPerEndpoint: 4, linkBaseUrl: null };
      const { app } = cachedApp(FRESH_SECONDS, { webhooks });
      const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" };
      const list = async () =>
        ((await (await app.request("/api/v1/subscriptions", { headers: admin })).json()) as { items: unknown[] }).items.length;
      const before = await list();
      const created = await app.request("/api/v1/subscriptions", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: "http://127.0.0.1:9/cache-test", types: ["event.created"] }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      expect(await list()).toBe(before + 1);
    });

    it("neither serves nor keeps a public read for a request that carries credentials", async () => {
      const { app, counting } = cachedApp();
      const headers = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
      await app.request("/api/v1/events", { headers });
      await app.request("/api/v1/events", { headers });
      await app.request("/api/v1/events");
      expect(counting.calls.get("events.filterByTheme")).toBe(3);
    });

    it.each([
      ["a private answer", { cacheControl: "private, max-age=60" }],
      ["a no-store answer", { cacheControl: "no-store" }],
      ["an answer that sets a cookie", { headers: { "Set-Cookie": "session=abc; HttpOnly" } }],
    ])("never keeps %s", async (_name, answer) => {
      const deps: ApiDeps = withResponseCache(createTestDeps(db.store, {}, START), FRESH_SECONDS);
      let loads = 0;
      const app = new Hono().get(
        "/personal",
        cachedGet(deps, async () => {
          loads += 1;
          return {
            body: `answer ${loads}`,
            contentType: "text/plain",
            cacheControl: "public, max-age=60",
            lastModified: null,
            ...answer,
          };
        }),
      );
      expect(await (await app.request("/personal")).text()).toBe("answer 1");
      expect(await (await app.request("/personal")).text()).toBe("answer 2");
      expect(deps.responseCache?.size().entries).toBe(0);
    });

    it.each([
      ["public, max-age=60", 60_000],
      ["public, max-age=300", 300_000],
      ["public", 0],
      ["no-cache", 0],
      ["Private, max-age=60", 0],
      ["public, no-store, max-age=60", 0],
    ])("keeps an answer with Cache-Control %s for %i ms at most", (cacheControl, ms) => {
      expect(keepableMs({ body: "", contentType: "text/plain", cacheControl, lastModified: null })).toBe(ms);
    });
  });
});
