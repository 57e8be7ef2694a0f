import { gzipSync } from "node:zlib";
import type { Article } from "@eventwire/core";
import {
  addSource,
  configureSource,
  createGuardedFetch,
  createUrlGuard,
  ingestDueSources,
  ingestQueuedSource,
  ingestSource,
  planDueSources,
  seedSources,
} from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aroundCommits, createTestDeps, type TestDeps } from "../support/deps";
import { fixture } from "../support/fixtures";
import { serveAlways, serveWithEtag, startTestServer, type TestHttpServer } from "../support/http-server";
import { createTestStore, type TestStore } from "../support/store";

let server: TestHttpServer;
const tables: TestStore[] = [];

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
  for (const table of tables) await table.drop();
});

/** An error shaped like the one the AWS SDK throws for this DynamoDB error code. */
function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/**
 * The same deps, with a store whose match commits fail when `refuse` returns an error for one of
 * their articles: as the store answers them, an item DynamoDB will never accept (a
 * ValidationException) as a refused commit, any other error thrown.
 */
function refusingWrites(deps: TestDeps, refuse: (article: Article) => Error | null): TestDeps {
  return aroundCommits(deps, (input, commit) => {
    const error = input.articles.map((entry) => refuse(entry.article)).find((refused) => refused !== null) ?? null;
    if (error === null) return commit(input);
    return error.name === "ValidationException" ? Promise.resolve({ kind: "refused", error }) : Promise.reject(error);
  });
}

/** Deps over a table of the test's own, so counts never leak between tests. */
async function freshDeps(): Promise<TestDeps> {
  const table = await createTestStore();
  tables.push(table);
  return createTestDeps(table.store);
}

/** Every stored article, newest first, each read back whole (text included). */
async function allArticles(deps: TestDeps): Promise<Article[]> {
  const page = await deps.store.articles.listNewest({ limit: 1000 });
  const articles = await Promise.all(page.items.map((item) => deps.store.articles.get(item.id)));
  return articles.filter((article): article is Article => article !== null);
}

async function source(deps: TestDeps, path: string) {
  const result = await addSource(deps, { url: `${server.url}${path}` });
  if (!result.ok) throw new Error(result.error);
  return result.source;
}

describe("ingest", () => {
  describe("happy", () => {
    it("stores the items of an RSS and an Atom feed, normalised", async () => {
      const deps = await freshDeps();
      server.route("/happy/rss", serveWithEtag(fixture("feeds/rss2.xml"), "application/rss+xml", '"rss-v1"'));
      server.route("/happy/atom", serveWithEtag(fixture("feeds/atom.xml"), "application/atom+xml", '"atom-v1"'));
      await source(deps, "/happy/rss");
      await source(deps, "/happy/atom");

      const summary = await ingestDueSources(deps);
      expect(summary).toMatchObject({ sourcesDue: 2, succeeded: 2, failed: 0, stored: 5 });

      const articles = await allArticles(deps);
      expect(articles).toHaveLength(5);
      const checkpoint = articles.find((article) => article.guid === "fixture-wire-0001");
      expect(checkpoint).toMatchObject({
        url: "https://fixture-wire.example/news/checkpoint-attack?id=7",
        title: "Checkpoint attack & curfew in eastern Syrian town",
        publishedAt: "2026-05-04T06:30:00.000Z",
        sourceTitle: "Fixture Wire",
        author: "Desk Reporter",
        language: "en-gb",
      });
      expect(checkpoint?.text).toBe(
        "Gunmen fired on a checkpoint at dawn.\n\nA curfew was declared — officials said. Shops stayed shut.",
      );
      expect(articles.find((article) => article.title === "Border crossing reopens for trucks")?.publishedAt).toBe(
        "2026-05-03T15:00:00.000Z",
      );
      // Newest first.
      const times = articles.map((article) => article.publishedAt);
      expect([...times].sort().reverse()).toEqual(times);
    });

    it("stores nothing new when the server answers 304, and sent the validators it got", async () => {
      const deps = await freshDeps();
      server.route("/conditional", serveWithEtag(fixture("feeds/rss2.xml"), "application/rss+xml", '"cond-v1"'));
      const feed = await source(deps, "/conditional");

      const first = await ingestSource(deps, feed);
      expect(first).toMatchObject({ ok: true, status: "fetched", stored: 3 });
      const afterFirst = await deps.store.sources.get(feed.id);
      expect(afterFirst).toMatchObject({
        etag: '"cond-v1"',
        lastModified: "Mon, 04 May 2026 09:00:00 GMT",
        title: "Fixture Wire",
      });

      deps.clock.advance(10 * 60 * 1000);
      const second = await ingestSource(deps, afterFirst ?? feed);
      expect(second).toMatchObject({ ok: true, status: "not-modified", stored: 0 });
      const lastRequest = server.seen.filter((request) => request.path === "/conditional").at(-1);
      expect(lastRequest?.headers["if-none-match"]).toBe('"cond-v1"');
      expect(lastRequest?.headers["if-modified-since"]).toBe("Mon, 04 May 2026 09:00:00 GMT");
      expect(await allArticles(deps)).toHaveLength(3);
      expect(await deps.store.sources.get(feed.id)).toMatchObject({
        lastSuccessAt: deps.clock.now().toISOString(),
        consecutiveFailures: 0,
      });
    });

    it("creates no duplicate when the same feed is stored twice", async () => {
      const deps = await freshDeps();
      server.route("/no-validators", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      const feed = await source(deps, "/no-validators");

      expect(await ingestSource(deps, feed)).toMatchObject({ stored: 2, duplicates: 0 });
      const polled = await deps.store.sources.get(feed.id);
      expect(await ingestSource(deps, polled ?? feed)).toMatchObject({ status: "fetched", stored: 0, duplicates: 2 });
      expect(await allArticles(deps)).toHaveLength(2);
    });

    it("recognises the same article in two feeds by its canonical URL", async () => {
      const deps = await freshDeps();
      const item = (tracking: string) =>
        `<rss version="2.0"><channel><title>T</title><item><title>Same story</title><link>https://same.example/story?${tracking}</link></item></channel></rss>`;
      server.route("/copy-a", serveAlways(item("utm_source=a"), "application/rss+xml"));
      server.route("/copy-b", serveAlways(item("fbclid=b"), "application/rss+xml"));
      await source(deps, "/copy-a");
      await source(deps, "/copy-b");
      const summary = await ingestDueSources(deps);
      expect(summary).toMatchObject({ stored: 1, duplicates: 1 });
    });

    it("reads a gzip-encoded, windows-1251 feed", async () => {
      const deps = await freshDeps();
      const xml = `<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>Сирия</title><item><title>Новости из Ракки</title><link>https://cyr.example/1</link></item></channel></rss>`;
      const bytes = Buffer.from(new Uint8Array([...xml].map((ch) => (ch.charCodeAt(0) < 128 ? ch.charCodeAt(0) : cp1251(ch)))));
      server.route("/cp1251", (_request, response) => {
        response.writeHead(200, { "content-type": "application/rss+xml", "content-encoding": "gzip" }).end(gzipSync(bytes));
      });
      await source(deps, "/cp1251");
      await ingestDueSources(deps);
      const [article] = await allArticles(deps);
      expect(article?.title).toBe("Новости из Ракки");
      expect(article?.sourceTitle).toBe("Сирия");
    });
  });

  describe("concurrency", () => {
    it("lets exactly one of two runs that start together poll a source", async () => {
      const deps = await freshDeps();
      server.route("/shared", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      await source(deps, "/shared");
      const before = server.seen.filter((request) => request.path === "/shared").length;
      const [a, b] = await Promise.all([ingestDueSources(deps), ingestDueSources(deps)]);
      // The later run either finds the claim taken (busy) or, having listed after it, nothing due.
      expect([a.succeeded + b.succeeded, a.failed + b.failed]).toEqual([1, 0]);
      expect(a.busy + b.busy).toBeLessThanOrEqual(1);
      expect(a.stored + b.stored).toBe(2);
      expect(server.seen.filter((request) => request.path === "/shared").length - before).toBe(1);
      expect(await allArticles(deps)).toHaveLength(2);
    });

    it("gives a source read by two runs to the one that claims it first", async () => {
      const deps = await freshDeps();
      server.route("/claimed", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      const feed = await source(deps, "/claimed");
      // Both runs read the same state; only one conditional claim on nextPollAt can succeed.
      const results = await Promise.all([ingestSource(deps, feed), ingestSource(deps, feed)]);
      expect(results.map((result) => (result.ok ? result.status : "failed")).sort()).toEqual(["busy", "fetched"]);
    });
  });

  describe("queue fan-out", () => {
    it("plans one job per due source, delays spread within the bound, and a job polls its source once", async () => {
      const deps = await freshDeps();
      server.route("/queued-a", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      server.route("/queued-b", serveAlways(fixture("feeds/rdf.xml"), "application/rdf+xml"));
      const a = await source(deps, "/queued-a");
      const b = await source(deps, "/queued-b");
      const off = await source(deps, "/queued-off");
      await configureSource(deps, off.id, { enabled: false });
      const randoms = [0, 0.999];
      const jobs = await planDueSources({ ...deps, random: () => randoms.shift() ?? 0.5 }, 60);
      expect(jobs.map((job) => job.sourceId).sort()).toEqual([a.id, b.id].sort());
      expect(jobs.map((job) => job.delaySeconds)).toEqual([0, 60]);
      expect(new Set(jobs.map((job) => job.scheduledAt))).toEqual(new Set([deps.clock.now().toISOString()]));
      // SQS delays messages by 15 minutes at most.
      expect((await planDueSources({ ...deps, random: () => 0.999 }, 5000)).map((job) => job.delaySeconds)).toEqual([900, 900]);

      const job = jobs.find((planned) => planned.sourceId === a.id) as (typeof jobs)[0];
      expect(await ingestQueuedSource(deps, job)).toMatchObject({ ok: true, status: "fetched", stored: 2 });
      // The same message again: the source was just polled.
      expect(await ingestQueuedSource(deps, job)).toMatchObject({ ok: true, status: "not-due" });
      expect(await ingestQueuedSource(deps, { sourceId: off.id, scheduledAt: job.scheduledAt })).toMatchObject({
        status: "gone",
      });
      expect(server.seen.filter((request) => request.path === "/queued-a")).toHaveLength(1);
      expect(server.seen.filter((request) => request.path === "/queued-off")).toHaveLength(0);
    });
  });

  describe("error", () => {
    it("advances the source's validators only once every article is stored", async () => {
      const deps = await freshDeps();
      server.route("/store-fails", serveWithEtag(fixture("feeds/rss2.xml"), "application/rss+xml", '"sf-v1"'));
      const feed = await source(deps, "/store-fails");
      // The store refuses the first write, as DynamoDB would when throttled past its retries.
      let failNext = true;
      const flaky = refusingWrites(deps, () => {
        if (!failNext) return null;
        failNext = false;
        return sdkError("ThrottlingException", "Rate of requests exceeds the allowed throughput");
      });
      const failed = await ingestSource(flaky, feed);
      expect(failed).toMatchObject({ ok: false, retryable: true });
      const state = await deps.store.sources.get(feed.id);
      expect(state).toMatchObject({ etag: null, lastModified: null, consecutiveFailures: 1 });
      expect(state?.lastError).toBe("storing articles failed (ThrottlingException); the next poll fetches the feed again");

      deps.clock.set(state?.nextPollAt ?? "");
      const summary = await ingestDueSources(deps);
      // The feed's new articles are committed together: the refused write stored none of them.
      expect(summary).toMatchObject({ succeeded: 1, stored: 3, duplicates: 0 });
      expect(await allArticles(deps)).toHaveLength(3);
      // The retry asked for the whole feed again, not for changes since a body it never stored.
      expect(server.seen.filter((request) => request.path === "/store-fails").at(-1)?.headers["if-none-match"]).toBeUndefined();
      expect(await deps.store.sources.get(feed.id)).toMatchObject({ etag: '"sf-v1"', consecutiveFailures: 0 });
    });

    it("skips an article the store refuses for good and ingests the rest", async () => {
      const deps = await freshDeps();
      server.route("/one-refused", serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"));
      const feed = await source(deps, "/one-refused");
      const refusing = refusingWrites(deps, (article) =>
        article.guid === "fixture-wire-0001"
          ? sdkError("ValidationException", "Item size has exceeded the maximum allowed size")
          : null,
      );
      expect(await ingestSource(refusing, feed)).toMatchObject({ ok: true, stored: 2, skipped: 1 });
      expect(await deps.store.sources.get(feed.id)).toMatchObject({ consecutiveFailures: 0, lastError: null });
    });

    it("keeps absolute item links when the channel link is not a URL", async () => {
      const deps = await freshDeps();
      const rss = `<rss version="2.0"><channel><title>Loose</title><link>www.loose.example</link>
        <item><title>Absolute</title><link>https://loose.example/a?utm_source=x</link></item>
        <item><title>Relative</title><link>/b</link></item></channel></rss>`;
      server.route("/loose/feed.xml", serveAlways(rss, "application/rss+xml"));
      await source(deps, "/loose/feed.xml");
      await ingestDueSources(deps);
      const urls = (await allArticles(deps)).map((article) => article.url).sort();
      // The scheme-less channel link resolves against the feed URL; the item links against that.
      expect(urls).toEqual(["https://loose.example/a", `${server.url}/b`].sort());
    });

    it("records a malformed feed and a 500 on their sources while a good source in the same run is ingested", async () => {
      const deps = await freshDeps();
      server.route("/good", serveAlways(fixture("feeds/rdf.xml"), "application/rdf+xml"));
      server.route("/malformed", serveAlways(fixture("feeds/malformed.xml"), "application/rss+xml"));
      server.route("/server-error", (_request, response) => {
        response.writeHead(500, { "content-type": "text/plain" }).end("boom");
      });
      const good = await source(deps, "/good");
      const malformed = await source(deps, "/malformed");
      const broken = await source(deps, "/server-error");

      const summary = await ingestDueSources(deps);
      expect(summary).toMatchObject({ sourcesDue: 3, succeeded: 1, failed: 2, stored: 2 });
      expect(await allArticles(deps)).toHaveLength(2);

      const malformedState = await deps.store.sources.get(malformed.id);
      expect(malformedState?.lastError).toMatch(
        /^not a readable RSS, RDF or Atom feed: .+\(http:\/\/127\.0\.0\.1:\d+\/malformed\)$/,
      );
      expect(malformedState).toMatchObject({ consecutiveFailures: 1, lastSuccessAt: null });

      const brokenState = await deps.store.sources.get(broken.id);
      expect(brokenState?.lastError).toBe(`HTTP 500 Internal Server Error from ${server.url}/server-error`);
      expect(Date.parse(brokenState?.nextPollAt ?? "")).toBeGreaterThan(deps.clock.now().getTime());

      const goodState = await deps.store.sources.get(good.id);
      expect(goodState).toMatchObject({ lastError: null, consecutiveFailures: 0, lastSuccessAt: deps.clock.now().toISOString() });
    });

    it("records a timeout, a refused connection and an oversized body, each in words", async () => {
      const deps = await freshDeps();
      deps.config.fetchTimeoutMs = 400;
      deps.config.maxFeedBytes = 10_000;
      server.route("/trickle", (_request, response) => {
        response.writeHead(200, { "content-type": "application/rss+xml" });
        response.write("<rss version='2.0'><channel>");
        // Never finishes: only the total deadline ends this.
        const timer = setInterval(() => response.write(" "), 50);
        response.on("close", () => clearInterval(timer));
      });
      server.route(
        "/huge",
        serveAlways(`<rss version="2.0"><channel>${" ".repeat(50_000)}</channel></rss>`, "application/rss+xml"),
      );
      const closed = await startTestServer();
      const refusedUrl = `${closed.url}/feed`;
      await closed.close();

      await source(deps, "/trickle");
      await source(deps, "/huge");
      await addSource(deps, { url: refusedUrl });
      const summary = await ingestDueSources(deps);
      expect(summary.failed).toBe(3);
      const errors = summary.results.map((result) => (result.ok ? "ok" : result.error)).sort();
      expect(errors).toEqual(
        [
          `connection refused by ${new URL(refusedUrl).host}`,
          `the body is larger than the limit of 10000 bytes (counted after decompression; ${server.url}/huge)`,
          `no complete response from ${new URL(server.url).host} within 0.4 s`,
        ].sort(),
      );
    });

    it("recovers on the next poll after a failure", async () => {
      const deps = await freshDeps();
      let healthy = false;
      server.route("/flaky", (request, response) => {
        if (!healthy) {
          response.writeHead(503).end();
          return;
        }
        serveAlways(fixture("feeds/atom.xml"), "application/atom+xml")(request, response);
      });
      const feed = await source(deps, "/flaky");
      await ingestSource(deps, feed);
      const failed = await deps.store.sources.get(feed.id);
      expect(failed).toMatchObject({
        consecutiveFailures: 1,
        lastError: `HTTP 503 Service Unavailable from ${server.url}/flaky`,
      });

      healthy = true;
      deps.clock.set(failed?.nextPollAt ?? "");
      const summary = await ingestDueSources(deps);
      expect(summary).toMatchObject({ sourcesDue: 1, succeeded: 1, stored: 2 });
      expect(await deps.store.sources.get(feed.id)).toMatchObject({ consecutiveFailures: 0, lastError: null });
    });
  });

  describe("configured sources", () => {
    it("keeps a source whose host does not resolve, failing with the reason, retries it with back-off, and recovers", async () => {
      const deps = await freshDeps();
      server.route("/offline/wire.rss", serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"));
      // A resolver that knows no host until the network "comes back"; the metadata host resolves
      // to the cloud metadata address, which is refused whatever the network does.
      let online = false;
      const guard = createUrlGuard({
        allowPrivate: true,
        resolve: async (host) => {
          if (host === "metadata.test") return ["169.254.169.254"];
          if (!online) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
          return ["127.0.0.1"];
        },
      });
      deps.guard = (url) => guard.check(url);
      deps.fetch = createGuardedFetch(guard.lookup);
      const url = `http://wire.test:${new URL(server.url).port}/offline/wire.rss`;
      const refusedUrl = "http://metadata.test/feed.xml";
      const unresolved = 'host "wire.test" does not resolve (ENOTFOUND)';

      const seeded = await seedSources(deps, [url, refusedUrl]);
      expect(seeded).toMatchObject({ created: 1, unreachable: [{ url, error: unresolved }], refused: [{ url: refusedUrl }] });
      expect(seeded.refused[0]?.error).toContain("cloud metadata address");
      const [kept, ...others] = await deps.store.sources.list();
      expect(others).toEqual([]);
      const seededAt = deps.clock.now().getTime();
      // Stored as a first failed poll: the reason on the source, the first back-off step
      // (300 s less the jitter the fixed random takes off: 5%).
      expect(kept).toMatchObject({ url, lastError: unresolved, consecutiveFailures: 1, lastSuccessAt: null });
      expect(Date.parse(kept?.nextPollAt ?? "") - seededAt).toBe(285_000);
      expect(deps.logs).toContainEqual(expect.objectContaining({ level: "warn", fields: expect.objectContaining({ url }) }));

      // Not due before its back-off ends; then retried, failing again, and backing off further.
      expect(await ingestDueSources(deps)).toMatchObject({ sourcesDue: 0 });
      deps.clock.advance(285_000);
      expect(await ingestDueSources(deps)).toMatchObject({ sourcesDue: 1, failed: 1, stored: 0 });
      const retried = await deps.store.sources.get(kept?.id ?? "");
      expect(retried).toMatchObject({ lastError: unresolved, consecutiveFailures: 2 });
      expect(Date.parse(retried?.nextPollAt ?? "") - deps.clock.now().getTime()).toBe(570_000);
      // The same failure again is not news: it is logged at debug, the first one was a warning.
      expect(deps.logs.filter((entry) => entry.message === "source failed").map((entry) => entry.level)).toEqual(["debug"]);

      // A second start finds the source there and looks nothing up again.
      expect(await seedSources(deps, [url])).toEqual({ created: 0, unreachable: [], refused: [] });

      online = true;
      deps.clock.advance(570_000);
      expect(await ingestDueSources(deps)).toMatchObject({ sourcesDue: 1, succeeded: 1, stored: 3 });
      expect(await deps.store.sources.get(kept?.id ?? "")).toMatchObject({ lastError: null, consecutiveFailures: 0 });
    });

    it("refuses a host that does not resolve when a user adds it (a typo shows at once)", async () => {
      const deps = await freshDeps();
      const guard = createUrlGuard({
        allowPrivate: true,
        resolve: async () => Promise.reject(Object.assign(new Error("not found"), { code: "ENOTFOUND" })),
      });
      deps.guard = (url) => guard.check(url);
      expect(await addSource(deps, { url: "https://typo.test/feed.xml" })).toEqual({
        ok: false,
        error: 'host "typo.test" does not resolve (ENOTFOUND)',
      });
      expect(await deps.store.sources.list()).toEqual([]);
    });
  });

  describe("log", () => {
    it("says one line per run that stored something; polls that found nothing new only at debug", async () => {
      const deps = await freshDeps();
      server.route("/quiet/wire.rss", serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"));
      await source(deps, "/quiet/wire.rss");
      await ingestDueSources(deps);
      const shown = () => deps.logs.filter((entry) => entry.level !== "debug");
      expect(shown()).toEqual([
        { level: "info", message: "ingest run finished", fields: { due: 1, succeeded: 1, failed: 0, stored: 3 } },
      ]);
      expect(deps.logs).toContainEqual(expect.objectContaining({ level: "debug", message: "source ingested" }));

      // The same feed again: nothing new, so nothing above debug.
      deps.clock.advance(10 * 60 * 1000);
      expect(await ingestDueSources(deps, { all: true })).toMatchObject({ sourcesDue: 1, stored: 0, duplicates: 3 });
      expect(shown()).toHaveLength(1);
      expect(deps.logs.at(-1)).toMatchObject({ level: "debug", message: "ingest run finished", fields: { stored: 0 } });
    });
  });

  describe("security", () => {
    it("stores hostile markup as inert text", async () => {
      const deps = await freshDeps();
      server.route("/hostile", serveAlways(fixture("feeds/hostile.xml"), "application/rss+xml"));
      await source(deps, "/hostile");
      await ingestDueSources(deps);
      const [article] = await allArticles(deps);
      expect(article?.title).toBe("Breaking ]]> news");
      expect(article?.summary).toBe("Body with an image and <script>alert(3)</script> escaped script.");
    });
  });
});

// windows-1251 code for the Cyrillic letters used above.
function cp1251(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
  throw new Error(`no windows-1251 code for ${ch}`);
}
