import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { type Article, sourceStatus } from "@eventwire/core";
import {
  addSource,
  configureSource,
  createGuardedFetch,
  createUrlGuard,
  ingestDueSources,
  ingestSource,
  seedSources,
} from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TestDeps } from "../support/deps";
import { fixture, fixtureBytes } from "../support/fixtures";
import { type Handler, serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { createTestStore, type TestStore } from "../support/store";

// The hostile corpus (test/fixtures/feeds/hostile) and the cases built here, served by a real
// HTTP server on 127.0.0.1. Limits are small so that each case ends within seconds, with room for a busy machine.
const LIMITS = { fetchTimeoutMs: 2_000, maxFeedBytes: 64 * 1024, maxRedirects: 3 };

let server: TestHttpServer;
const tables: TestStore[] = [];
/** Bytes the streaming handlers managed to write, by path. */
const written = new Map<string, number>();

function rss(items: string, extra = ""): string {
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test Wire</title><link>https://wire.example/</link>${extra}${items}</channel></rss>`;
}

function item(n: number, date: Date, extra = ""): string {
  return `<item><title>Story number ${n} from the wire</title><link>https://wire.example/story/${n}</link><pubDate>${date.toUTCString()}</pubDate><description>Report ${n} about the day's events.</description>${extra}</item>`;
}

function redirect(status: number, location: string): Handler {
  return (_request, response) => {
    response.writeHead(status, { location }).end();
  };
}

/** Streams `total` bytes in 16 KB chunks with no Content-Length, counting what got out. */
function streamBytes(path: string, total: number): Handler {
  return (_request, response: ServerResponse) => {
    response.writeHead(200, { "content-type": "application/rss+xml" });
    const chunk = Buffer.alloc(16 * 1024, " ");
    let sent = 0;
    written.set(path, 0);
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        written.set(path, sent);
        if (!response.write(chunk)) {
          response.once("drain", pump);
          return;
        }
      }
      response.end();
    };
    response.on("close", () => response.removeAllListeners("drain"));
    response.write("<rss version='2.0'><channel>");
    pump();
  };
}

beforeAll(async () => {
  server = await startTestServer({
    "/good.rss": serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"),
    "/good.atom": serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"),
    "/billion-laughs.xml": serveAlways(fixture("feeds/hostile/billion-laughs.xml"), "application/rss+xml"),
    "/xxe.xml": serveAlways(fixture("feeds/hostile/xxe.xml"), "application/rss+xml"),
    "/html-page": serveAlways(fixture("feeds/hostile/html-page.html"), "text/html; charset=utf-8"),
    "/invalid.xml": serveAlways(fixture("feeds/hostile/invalid.xml"), "application/rss+xml"),
    "/windows-1251.xml": serveAlways(fixtureBytes("feeds/hostile/windows-1251.xml"), "application/rss+xml"),
    "/iso-8859-1.xml": serveAlways(fixtureBytes("feeds/hostile/iso-8859-1.xml"), "text/xml; charset=ISO-8859-1"),
    "/odd-items.xml": serveAlways(fixture("feeds/hostile/odd-items.xml"), "application/rss+xml"),
    "/too-large": streamBytes("/too-large", 8 * 1024 * 1024),
    "/gzip-bomb": (_request, response) => {
      // 32 MB of spaces, about 32 KB compressed: only the decompressed size tells.
      const bomb = gzipSync(Buffer.concat([Buffer.from("<rss version='2.0'><channel>"), Buffer.alloc(32 * 1024 * 1024, " ")]));
      response.writeHead(200, { "content-type": "application/rss+xml", "content-encoding": "gzip" }).end(bomb);
    },
    "/many-codings": (_request, response) => {
      // One compressed body claimed to be compressed ten times over: only a decompressor each.
      const body = gzipSync(Buffer.from(rss(item(1, new Date("2026-05-04T08:00:00Z")))));
      response
        .writeHead(200, { "content-type": "application/rss+xml", "content-encoding": Array(10).fill("gzip").join(", ") })
        .end(body);
    },
    "/one-byte-a-tick": (_request, response) => {
      response.writeHead(200, { "content-type": "application/rss+xml" });
      const body = rss(item(1, new Date("2026-05-04T08:00:00Z")));
      let at = 0;
      const timer = setInterval(() => {
        if (at >= body.length) return;
        response.write(body[at]);
        at += 1;
      }, 100);
      response.on("close", () => clearInterval(timer));
    },
    "/loop-a": redirect(302, "/loop-b"),
    "/loop-b": redirect(301, "/loop-a"),
    "/chain-1": redirect(302, "/chain-2"),
    "/chain-2": redirect(302, "/chain-3"),
    "/chain-3": redirect(302, "/chain-4"),
    "/chain-4": redirect(302, "/chain-5"),
    "/chain-5": serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"),
  });
});

afterAll(async () => {
  await server.close();
  for (const table of tables) await table.drop();
});

async function freshDeps(config: Partial<TestDeps["config"]> = {}): Promise<TestDeps> {
  const table = await createTestStore();
  tables.push(table);
  return createTestDeps(table.store, { ...LIMITS, ...config });
}

async function addPath(deps: TestDeps, path: string) {
  const result = await addSource(deps, { url: `${server.url}${path}` });
  if (!result.ok) throw new Error(result.error);
  return result.source;
}

async function allArticles(deps: TestDeps): Promise<Article[]> {
  const page = await deps.store.articles.listNewest({ limit: 1000 });
  const articles = await Promise.all(page.items.map((summary) => deps.store.articles.get(summary.id)));
  return articles.filter((article): article is Article => article !== null);
}

async function errorOf(deps: TestDeps, id: string): Promise<string | null> {
  return (await deps.store.sources.get(id))?.lastError ?? null;
}

describe("hostile feeds", () => {
  describe("error", () => {
    it("records each hostile feed's problem on its own source while the good feeds of the same run are ingested", async () => {
      const deps = await freshDeps();
      const paths = [
        "/good.rss",
        "/good.atom",
        "/too-large",
        "/gzip-bomb",
        "/many-codings",
        "/one-byte-a-tick",
        "/loop-a",
        "/chain-1",
        "/html-page",
        "/invalid.xml",
        "/billion-laughs.xml",
        "/xxe.xml",
      ];
      const sources = new Map<string, string>();
      for (const path of paths) sources.set(path, (await addPath(deps, path)).id);
      const id = (path: string) => sources.get(path) as string;

      const summary = await ingestDueSources(deps);
      expect(summary).toMatchObject({ sourcesDue: paths.length, succeeded: 2, failed: paths.length - 2, stored: 5 });
      expect(await allArticles(deps)).toHaveLength(5);
      for (const good of ["/good.rss", "/good.atom"]) {
        expect(await deps.store.sources.get(id(good))).toMatchObject({ lastError: null, consecutiveFailures: 0 });
      }

      const host = new URL(server.url).host;
      const limit = LIMITS.maxFeedBytes;
      expect(await errorOf(deps, id("/too-large"))).toBe(
        `the body is larger than the limit of ${limit} bytes (counted after decompression; ${server.url}/too-large)`,
      );
      expect(await errorOf(deps, id("/gzip-bomb"))).toBe(
        `the body is larger than the limit of ${limit} bytes (counted after decompression; ${server.url}/gzip-bomb)`,
      );
      expect(await errorOf(deps, id("/many-codings"))).toMatch(/10 content codings \(at most 4 are read\)/);
      expect(await errorOf(deps, id("/one-byte-a-tick"))).toBe(`no complete response from ${host} within 2 s`);
      expect(await errorOf(deps, id("/loop-a"))).toBe(`redirect loop: ${server.url}/loop-b leads back to ${server.url}/loop-a`);
      expect(await errorOf(deps, id("/chain-1"))).toBe(`more than 3 redirects, starting at ${server.url}/chain-1`);
      expect(await errorOf(deps, id("/html-page"))).toBe(`the URL returned an HTML page, not a feed (${server.url}/html-page)`);
      expect(await errorOf(deps, id("/invalid.xml"))).toMatch(
        new RegExp(`^not a readable RSS, RDF or Atom feed: .+ \\(${server.url}/invalid\\.xml\\)$`),
      );
      for (const path of ["/billion-laughs.xml", "/xxe.xml"]) {
        expect(await errorOf(deps, id(path))).toBe(
          `the document declares its own XML entities (<!ENTITY> in its DOCTYPE), which are never expanded (${server.url}${path})`,
        );
      }
      for (const path of paths.slice(2)) {
        const state = await deps.store.sources.get(id(path));
        expect(state && sourceStatus(state), path).toBe("failing");
        expect(Date.parse(state?.nextPollAt ?? ""), path).toBeGreaterThan(deps.clock.now().getTime());
      }
    });

    it("stops reading a body past the limit instead of taking it all first", async () => {
      const deps = await freshDeps();
      const feed = await addPath(deps, "/too-large");
      expect(await ingestSource(deps, feed)).toMatchObject({ ok: false, retryable: false });
      // The server had 8 MB to send; the reader hung up after a little more than the limit
      // (plus what the sockets buffer on the way).
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(written.get("/too-large")).toBeLessThan(4 * 1024 * 1024);
    });

    it("follows a bounded chain of redirects when the limit allows it, without moving the source on temporary ones", async () => {
      const deps = await freshDeps({ maxRedirects: 5 });
      const feed = await addPath(deps, "/chain-1");
      expect(await ingestSource(deps, feed)).toMatchObject({ ok: true, status: "fetched", stored: 2 });
      expect((await deps.store.sources.get(feed.id))?.url).toBe(`${server.url}/chain-1`);
    });

    it("keeps a source that answered 5xx due again with back-off, and recovers it later", async () => {
      const deps = await freshDeps();
      let failing = 4;
      server.route("/flaky", (request, response) => {
        if (failing > 0) {
          failing -= 1;
          response.writeHead(502).end();
          return;
        }
        serveAlways(fixture("feeds/atom.xml"), "application/atom+xml")(request, response);
      });
      const feed = await addPath(deps, "/flaky");
      const waits: number[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const state = await deps.store.sources.get(feed.id);
        deps.clock.set(state?.nextPollAt ?? "");
        await ingestDueSources(deps);
        const after = await deps.store.sources.get(feed.id);
        waits.push(Date.parse(after?.nextPollAt ?? "") - deps.clock.now().getTime());
        expect(after?.consecutiveFailures).toBe(attempt + 1);
      }
      // Exponential: each wait longer than the one before.
      for (let i = 1; i < waits.length; i += 1) expect(waits[i]).toBeGreaterThan(waits[i - 1] as number);
      deps.clock.set((await deps.store.sources.get(feed.id))?.nextPollAt ?? "");
      expect(await ingestDueSources(deps)).toMatchObject({ succeeded: 1, stored: 2 });
      expect(await deps.store.sources.get(feed.id)).toMatchObject({ consecutiveFailures: 0, lastError: null });
    });
  });

  describe("polite fetching", () => {
    it("disables a source whose feed is 410 Gone, says so, and polls it again once re-enabled", async () => {
      const deps = await freshDeps();
      let gone = true;
      server.route("/gone", (request, response) => {
        if (gone) response.writeHead(410).end();
        else serveAlways(fixture("feeds/atom.xml"), "application/atom+xml")(request, response);
      });
      const feed = await addPath(deps, "/gone");
      const result = await ingestSource(deps, feed);
      expect(result).toMatchObject({ ok: false, retryable: false });
      const state = await deps.store.sources.get(feed.id);
      expect(state).toMatchObject({ enabled: false, consecutiveFailures: 1 });
      expect(state?.lastError).toBe(
        `HTTP 410 Gone from ${server.url}/gone: the feed is gone, so the source is disabled (PATCH /api/v1/sources/${feed.id} with {"enabled": true} polls it again)`,
      );
      expect(state && sourceStatus(state)).toBe("disabled");

      deps.clock.advance(30 * 24 * 3600 * 1000);
      expect(await ingestDueSources(deps)).toMatchObject({ sourcesDue: 0 });

      gone = false;
      expect(await configureSource(deps, feed.id, { enabled: true })).toMatchObject({ ok: true, source: { enabled: true } });
      expect(await ingestDueSources(deps)).toMatchObject({ sourcesDue: 1, succeeded: 1, stored: 2 });
    });

    it("waits as long as a 429's or 503's Retry-After asks, within a bound", async () => {
      const deps = await freshDeps();
      server.route("/busy-429", (_request, response) => {
        response.writeHead(429, { "retry-after": "5400" }).end();
      });
      server.route("/busy-503", (_request, response) => {
        response.writeHead(503, { "retry-after": new Date(deps.clock.now().getTime() + 7200_000).toUTCString() }).end();
      });
      server.route("/busy-forever", (_request, response) => {
        response.writeHead(429, { "retry-after": "999999999" }).end();
      });
      const a = await addPath(deps, "/busy-429");
      const b = await addPath(deps, "/busy-503");
      const c = await addPath(deps, "/busy-forever");
      await ingestDueSources(deps);
      const now = deps.clock.now().getTime();
      const wait = async (id: string) => (Date.parse((await deps.store.sources.get(id))?.nextPollAt ?? "") - now) / 1000;
      expect(await wait(a.id)).toBe(5400);
      expect(await wait(b.id)).toBe(7200);
      expect(await wait(c.id)).toBe(6 * 3600);
      expect(await errorOf(deps, a.id)).toBe(`HTTP 429 Too Many Requests from ${server.url}/busy-429 (retry after 5400 s)`);
    });

    it("polls no sooner than Cache-Control max-age or the feed's <ttl> asks", async () => {
      const deps = await freshDeps();
      server.route("/max-age", (_request, response) => {
        response
          .writeHead(200, { "content-type": "application/rss+xml", "cache-control": "public, max-age=5400" })
          .end(rss(item(1, new Date("2026-05-04T08:00:00Z"))));
      });
      server.route("/ttl", serveAlways(rss(item(2, new Date("2026-05-04T08:00:00Z")), "<ttl>180</ttl>"), "application/rss+xml"));
      const a = await addPath(deps, "/max-age");
      const b = await addPath(deps, "/ttl");
      await ingestDueSources(deps);
      expect((await deps.store.sources.get(a.id))?.pollIntervalSeconds).toBe(5400);
      expect((await deps.store.sources.get(b.id))?.pollIntervalSeconds).toBe(180 * 60);
      const next = Date.parse((await deps.store.sources.get(b.id))?.nextPollAt ?? "");
      // random() is 0.5 in tests: the jitter takes 5% off.
      expect(next - deps.clock.now().getTime()).toBe(180 * 60 * 1000 * 0.95);
    });

    it("learns a slower interval from a feed that posts rarely and a quick one from a busy feed", async () => {
      const deps = await freshDeps();
      const now = deps.clock.now().getTime();
      const hourly = Array.from({ length: 10 }, (_, n) => item(n, new Date(now - n * 3600_000))).join("");
      const busy = Array.from({ length: 10 }, (_, n) => item(100 + n, new Date(now - n * 60_000))).join("");
      server.route("/hourly", serveAlways(rss(hourly), "application/rss+xml"));
      server.route("/busy", serveAlways(rss(busy), "application/rss+xml"));
      const hourlySource = await addPath(deps, "/hourly");
      const busySource = await addPath(deps, "/busy");
      await ingestDueSources(deps);
      // Half the mean gap: 30 minutes; the busy feed stays at the configured floor (300 s).
      expect((await deps.store.sources.get(hourlySource.id))?.pollIntervalSeconds).toBe(1800);
      expect((await deps.store.sources.get(busySource.id))?.pollIntervalSeconds).toBe(300);
    });

    it("sends a User-Agent naming the product and both validators", async () => {
      const deps = await freshDeps({ userAgent: "eventwire/9.9 (feed reader; +https://ops.example/contact)" });
      server.route("/validators", (request, response) => {
        if (
          request.headers["if-none-match"] === '"v1"' &&
          request.headers["if-modified-since"] === "Mon, 04 May 2026 09:00:00 GMT"
        ) {
          response.writeHead(304).end();
          return;
        }
        response
          .writeHead(200, {
            "content-type": "application/atom+xml",
            etag: '"v1"',
            "last-modified": "Mon, 04 May 2026 09:00:00 GMT",
          })
          .end(fixture("feeds/atom.xml"));
      });
      const feed = await addPath(deps, "/validators");
      expect(await ingestSource(deps, feed)).toMatchObject({ status: "fetched" });
      const polled = await deps.store.sources.get(feed.id);
      expect(await ingestSource(deps, polled ?? feed)).toMatchObject({ status: "not-modified" });
      const seen = server.seen.filter((request) => request.path === "/validators");
      expect(seen.map((request) => request.headers["user-agent"])).toEqual([
        "eventwire/9.9 (feed reader; +https://ops.example/contact)",
        "eventwire/9.9 (feed reader; +https://ops.example/contact)",
      ]);
    });

    it("moves the source to where a permanent redirect points, keeping its id", async () => {
      const deps = await freshDeps();
      server.route("/moved-old", redirect(301, "/moved-new"));
      server.route("/moved-new", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      const feed = await addPath(deps, "/moved-old");
      expect(await ingestSource(deps, feed)).toMatchObject({ ok: true, stored: 2 });
      const moved = await deps.store.sources.get(feed.id);
      expect(moved?.url).toBe(`${server.url}/moved-new`);
      deps.clock.set(moved?.nextPollAt ?? "");
      await ingestDueSources(deps);
      expect(server.seen.filter((request) => request.path === "/moved-old")).toHaveLength(1);
      expect(server.seen.filter((request) => request.path === "/moved-new")).toHaveLength(2);
    });

    it("disables a source that moves onto a feed another source already polls, storing nothing twice", async () => {
      const deps = await freshDeps();
      server.route("/twin-old", redirect(301, "/twin-new"));
      server.route("/twin-new", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      const kept = await addPath(deps, "/twin-new");
      const moving = await addPath(deps, "/twin-old");
      expect(await ingestSource(deps, kept)).toMatchObject({ ok: true, stored: 2 });
      expect(await ingestSource(deps, moving)).toMatchObject({ ok: false, retryable: false });
      const disabled = await deps.store.sources.get(moving.id);
      expect(disabled?.enabled).toBe(false);
      expect(disabled?.url).toBe(`${server.url}/twin-old`);
      expect(disabled?.lastError).toContain(`moved permanently to ${server.url}/twin-new, which source ${kept.id} already polls`);
      expect(await allArticles(deps)).toHaveLength(2);
    });
  });

  describe("security", () => {
    it("records a guard's refusal as the source's error, for the source URL and for a redirect hop", async () => {
      const checked: string[] = [];
      const deps = await freshDeps();
      server.route("/to-private", redirect(302, "/private-target"));
      // Added while every address was allowed; checked again at every fetch (a name may since
      // point elsewhere).
      const direct = (await addSource(deps, { url: `${server.url}/private-feed` })) as { source: { id: string } };
      const hop = await addPath(deps, "/to-private");
      const good = await addPath(deps, "/good.atom");
      deps.guard = async (url: URL) => {
        checked.push(url.pathname);
        if (url.pathname.startsWith("/private")) throw new Error(`${url.host} is a private address; refused`);
      };
      const summary = await ingestDueSources(deps);
      expect(summary).toMatchObject({ succeeded: 1, failed: 2 });
      const host = new URL(server.url).host;
      expect(await errorOf(deps, direct.source.id)).toBe(`${host} is a private address; refused`);
      expect(await errorOf(deps, hop.id)).toBe(`${host} is a private address; refused`);
      expect(await errorOf(deps, good.id)).toBeNull();
      expect(checked.sort()).toEqual(["/good.atom", "/private-feed", "/private-target", "/to-private"]);
      // Refused before a request was sent.
      expect(server.seen.some((request) => request.path.startsWith("/private"))).toBe(false);
      // And a source the guard refuses cannot be added at all.
      expect(await addSource(deps, { url: `${server.url}/private-other` })).toEqual({
        ok: false,
        error: `${new URL(server.url).host} is a private address; refused`,
      });
    });

    it("judges the address connected to: a feed host public at the check and loopback at connect time gets no request", async () => {
      const deps = await freshDeps();
      const path = "/rebound.rss";
      server.route(path, serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"));
      // "localhost" is 127.0.0.1 to the system too: without the connect-time check the GET would arrive.
      const added = await addSource(deps, { url: `${server.url.replace("127.0.0.1", "localhost")}${path}` });
      if (!added.ok) throw new Error(added.error);
      const source = added.source;
      // The check before the request saw a public address; the connection's own lookup sees loopback.
      const lookups: string[] = [];
      const connectGuard = createUrlGuard({
        allowPrivate: false,
        resolve: async (host) => {
          lookups.push(host);
          return ["127.0.0.1"];
        },
      });
      deps.fetch = createGuardedFetch(connectGuard.lookup);
      expect(await ingestSource(deps, source)).toMatchObject({ ok: false });
      expect(lookups).toEqual(["localhost"]);
      expect(await errorOf(deps, source.id)).toContain("localhost, which resolves to 127.0.0.1, is a loopback address");
      expect(server.seen.some((request) => request.path === path)).toBe(false);
    });

    it("a configured source the guard refuses is logged and skipped; the others are added, once", async () => {
      const deps = await freshDeps();
      const checked: string[] = [];
      deps.guard = async (url: URL) => {
        checked.push(url.pathname);
        if (url.pathname === "/seed-refused") throw new Error("refused for the test");
      };
      const urls = ["/seed-a", "/seed-refused", "/seed-b"].map((path) => `${server.url}${path}`);
      expect(await seedSources(deps, urls)).toEqual({
        created: 2,
        unreachable: [],
        refused: [{ url: urls[1], error: "refused for the test" }],
      });
      expect((await deps.store.sources.list()).map((source) => new URL(source.url).pathname).sort()).toEqual([
        "/seed-a",
        "/seed-b",
      ]);
      expect(deps.logs).toContainEqual(
        expect.objectContaining({ level: "warn", fields: { url: urls[1], error: "refused for the test" } }),
      );
      // Seeding again (a cold start) looks up only what is not a source yet.
      checked.length = 0;
      expect((await seedSources(deps, urls)).created).toBe(0);
      expect(checked).toEqual(["/seed-refused"]);
    });

    it("never expands entities: the billion-laughs and XXE documents store nothing", async () => {
      const deps = await freshDeps();
      await addPath(deps, "/billion-laughs.xml");
      await addPath(deps, "/xxe.xml");
      expect(await ingestDueSources(deps)).toMatchObject({ failed: 2, stored: 0 });
      expect(await allArticles(deps)).toHaveLength(0);
    });
  });

  describe("happy", () => {
    it("decodes windows-1251 named in the prolog and ISO-8859-1 named by Content-Type", async () => {
      const deps = await freshDeps();
      await addPath(deps, "/windows-1251.xml");
      await addPath(deps, "/iso-8859-1.xml");
      expect(await ingestDueSources(deps)).toMatchObject({ succeeded: 2, stored: 2 });
      const byTitle = new Map((await allArticles(deps)).map((article) => [article.title, article]));
      expect(byTitle.get("Перемирие в Алеппо")).toMatchObject({
        sourceTitle: "Сирийская лента",
        text: "Стороны договорились о прекращении огня.",
      });
      expect(byTitle.get("Réunion à Genève : l'émissaire rencontre les délégués")).toMatchObject({
        sourceTitle: "Dépêches du Levant",
        text: "Les pourparlers reprennent à Genève.",
      });
    });

    it("detects an undeclared or wrongly declared charset, and reads one named in single quotes", async () => {
      const deps = await freshDeps();
      server.route(
        "/undeclared-latin1.xml",
        serveAlways(fixtureBytes("feeds/real-world/undeclared-latin1.xml"), "application/rss+xml"),
      );
      server.route(
        "/utf8-with-cp1252.xml",
        serveAlways(fixtureBytes("feeds/real-world/utf8-with-cp1252.xml"), "application/rss+xml; charset=utf-8"),
      );
      server.route(
        "/gb2312.xml",
        serveAlways(fixtureBytes("feeds/real-world/gb2312.xml"), "application/rss+xml; charset='gb2312'"),
      );
      for (const path of ["/undeclared-latin1.xml", "/utf8-with-cp1252.xml", "/gb2312.xml"]) await addPath(deps, path);
      expect(await ingestDueSources(deps)).toMatchObject({ succeeded: 3, stored: 3 });
      const byTitle = new Map((await allArticles(deps)).map((article) => [article.title, article]));
      expect(byTitle.get("Réunion à Genève : les pourparlers reprennent, déjà très attendus")).toMatchObject({
        sourceTitle: "Le Fil Sans Déclaration",
        text: "Les délégations sont arrivées à l'hôtel ; la séance d'ouverture a été reportée à jeudi.",
      });
      expect(byTitle.get("Minister: “we won’t wait” — talks in Zürich")?.text).toBe("She said it didn’t matter.");
      expect(byTitle.get("叙利亚局势最新报道")).toMatchObject({ sourceTitle: "每日新闻", text: "联合国表示关切。" });
      for (const article of byTitle.values()) expect(`${article.title} ${article.text}`).not.toContain("\uFFFD");
    });

    it("resolves links under xml:base, and records a document with no <channel> as the source's error, in words", async () => {
      const deps = await freshDeps();
      server.route("/xml-base.xml", serveAlways(fixture("feeds/real-world/xml-base.xml"), "application/atom+xml"));
      server.route("/no-channel.xml", serveAlways(fixture("feeds/real-world/no-channel.xml"), "application/rss+xml"));
      await addPath(deps, "/xml-base.xml");
      const broken = await addPath(deps, "/no-channel.xml");
      expect(await ingestDueSources(deps)).toMatchObject({ succeeded: 1, failed: 1, stored: 3 });
      expect((await allArticles(deps)).map((article) => article.url).sort()).toEqual([
        "https://base.example/news/2026/05/ceasefire",
        "https://base.example/news/syria/raqqa-water?id=7",
        "https://other.example/briefs/idlib",
      ]);
      expect(await errorOf(deps, broken.id)).toContain("the <rss> document has no <channel> element");
    });

    it("takes items with no GUID, link or date, resolves relative links against the feed's URL, strips tracking, and clamps future dates to the fetch", async () => {
      const deps = await freshDeps();
      const feed = await addPath(deps, "/odd-items.xml");
      const first = await ingestSource(deps, feed);
      expect(first).toMatchObject({ ok: true, items: 5, stored: 4, skipped: 1 });
      const articles = new Map((await allArticles(deps)).map((article) => [article.title, article]));
      const fetchedAt = deps.clock.now().toISOString();
      expect(articles.get("No guid, no link, no date")).toMatchObject({
        url: null,
        guid: null,
        dateInferred: true,
        publishedAt: fetchedAt,
      });
      // RFC 3986: against the address the feed came from, not the <link> its channel names.
      expect(articles.get("Relative link, tracking parameters")?.url).toBe(`${server.url}/news/relative?id=4`);
      expect(articles.get("From the future")).toMatchObject({ publishedAt: fetchedAt, dateInferred: true });
      expect(articles.get("No title at all, so the body stands in for it.")).toBeDefined();

      // The same document again, later: nothing new, nothing updated.
      deps.clock.advance(3600_000);
      const polled = await deps.store.sources.get(feed.id);
      expect(await ingestSource(deps, polled ?? feed)).toMatchObject({ stored: 0, duplicates: 4, updated: 0 });
      expect(await allArticles(deps)).toHaveLength(4);
    });

    it("stores the newest items of a 10,000-item feed up to the per-fetch cap and the rest on the next polls", async () => {
      const deps = await freshDeps({ maxFeedBytes: 8 * 1024 * 1024, maxItemsPerFetch: 100 });
      const start = Date.parse("2026-04-01T00:00:00Z");
      const items = Array.from({ length: 10_000 }, (_, n) => item(n, new Date(start + n * 60_000))).join("");
      server.route("/ten-thousand", (_request, response) => {
        response.writeHead(200, { "content-type": "application/rss+xml", etag: '"big-v1"' }).end(rss(items));
      });
      const feed = await addPath(deps, "/ten-thousand");
      const first = await ingestSource(deps, feed);
      expect(first).toMatchObject({ ok: true, items: 10_000, stored: 100, deferred: 9_900 });
      const titles = (await allArticles(deps)).map((article) => article.title);
      expect(titles[0]).toBe("Story number 9999 from the wire");
      expect(titles.at(-1)).toBe("Story number 9900 from the wire");
      const state = await deps.store.sources.get(feed.id);
      // Not complete: no validators yet, and the next poll at the configured interval.
      expect(state).toMatchObject({ etag: null, lastError: null });
      expect(Date.parse(state?.nextPollAt ?? "") - deps.clock.now().getTime()).toBeLessThanOrEqual(300_000);

      deps.clock.set(state?.nextPollAt ?? "");
      const second = await ingestSource(deps, state ?? feed);
      expect(second).toMatchObject({ stored: 100, duplicates: 100, deferred: 9_800 });
      const all = await allArticles(deps);
      expect(all).toHaveLength(200);
      expect(new Set(all.map((article) => article.id)).size).toBe(200);
      expect(all.at(-1)?.title).toBe("Story number 9800 from the wire");
      // Two reads of a 2 MB document (each a normalising pass and rss-parser's): room for a busy machine.
    }, 90_000);
  });

  describe("identity and updates", () => {
    it("does not take another feed's summary of the same page for an edit", async () => {
      const deps = await freshDeps();
      const item = (text: string) =>
        rss(
          `<item><title>Talks resume in Geneva</title><link>https://shared.example/talks</link><pubDate>Mon, 04 May 2026 08:00:00 GMT</pubDate><description>${text}</description></item>`,
        );
      server.route("/shared-one", serveAlways(item("Delegations met again on Monday."), "application/rss+xml"));
      server.route("/shared-two", serveAlways(item("Both delegations were in the same room."), "application/rss+xml"));
      const one = await addPath(deps, "/shared-one");
      const two = await addPath(deps, "/shared-two");
      await ingestSource(deps, one);
      await ingestSource(deps, two);
      const [stored] = await allArticles(deps);
      for (let round = 0; round < 2; round += 1) {
        deps.clock.advance(3_600_000);
        expect(await ingestSource(deps, (await deps.store.sources.get(one.id)) ?? one)).toMatchObject({ updated: 0 });
        expect(await ingestSource(deps, (await deps.store.sources.get(two.id)) ?? two)).toMatchObject({ updated: 0 });
      }
      const after = await allArticles(deps);
      expect(after).toHaveLength(1);
      expect(after[0]?.text).toBe(stored?.text);
    });

    it("stores a re-published item with a new GUID once, and applies a real edit in place with updatedAt", async () => {
      const deps = await freshDeps();
      const body = (guid: string, text: string, title = "Ceasefire holds in Idlib") =>
        rss(
          `<item><title>${title}</title><guid isPermaLink="false">${guid}</guid><pubDate>Mon, 04 May 2026 08:00:00 GMT</pubDate><description>${text}</description></item>`,
        );
      let document = body("guid-1", "The ceasefire held overnight, monitors said.");
      server.route("/republish", (_request, response) => {
        response.writeHead(200, { "content-type": "application/rss+xml" }).end(document);
      });
      const feed = await addPath(deps, "/republish");
      expect(await ingestSource(deps, feed)).toMatchObject({ stored: 1 });
      const [original] = await allArticles(deps);

      // The feed hands out a new GUID for the same item: recognised by its content.
      document = body("guid-2", "The ceasefire held overnight, monitors said.");
      deps.clock.advance(600_000);
      expect(await ingestSource(deps, (await deps.store.sources.get(feed.id)) ?? feed)).toMatchObject({
        stored: 0,
        duplicates: 1,
      });
      expect(await allArticles(deps)).toHaveLength(1);

      // A real edit to the item under its first GUID: updated in place, no second article.
      document = body("guid-1", "The ceasefire held overnight, monitors said. Two violations were reported at dawn.");
      deps.clock.advance(600_000);
      expect(await ingestSource(deps, (await deps.store.sources.get(feed.id)) ?? feed)).toMatchObject({ stored: 0, updated: 1 });
      const after = await allArticles(deps);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({
        id: original?.id,
        eventId: original?.eventId,
        text: "The ceasefire held overnight, monitors said. Two violations were reported at dawn.",
        updatedAt: deps.clock.now().toISOString(),
      });
      expect(after[0]?.contentHash).not.toBe(original?.contentHash);
    });

    it("recognises an item whose link gained tracking parameters and a fragment as the one stored", async () => {
      const deps = await freshDeps();
      let link = "https://wire.example/story/7";
      server.route("/tracking", (_request, response) => {
        response
          .writeHead(200, { "content-type": "application/rss+xml" })
          .end(rss(`<item><title>Story seven</title><link>${link}</link><description>Text.</description></item>`));
      });
      const feed = await addPath(deps, "/tracking");
      await ingestSource(deps, feed);
      link = "https://wire.example/story/7?utm_source=rss&amp;utm_medium=feed&amp;fbclid=xyz#top";
      deps.clock.advance(600_000);
      expect(await ingestSource(deps, (await deps.store.sources.get(feed.id)) ?? feed)).toMatchObject({
        stored: 0,
        duplicates: 1,
      });
      expect(await allArticles(deps)).toHaveLength(1);
    });
  });

  describe("full text", () => {
    const page = `<!DOCTYPE html><html><head><title>Aid convoy reaches Deir ez-Zor</title></head><body>
      <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
      <article><h1>Aid convoy reaches Deir ez-Zor</h1>
      ${Array.from({ length: 6 }, (_, n) => `<p>Paragraph ${n + 1}: the convoy of forty trucks carried flour, medicine and winter clothing to families in the eastern districts, officials of the relief agency said on Monday, adding that further deliveries depend on the roads staying open.</p>`).join("\n")}
      </article>
      <footer>Copyright footer text that is not the story.</footer></body></html>`;

    it("fetches the article page of a summary-only feed and stores its main text, for sources that ask", async () => {
      const deps = await freshDeps();
      server.route("/article/convoy", serveAlways(page, "text/html; charset=utf-8"));
      const feedBody = rss(
        `<item><title>Aid convoy reaches Deir ez-Zor</title><link>${server.url}/article/convoy</link><description>Trucks arrive.</description></item>`,
      );
      server.route("/summaries", serveAlways(feedBody, "application/rss+xml"));
      const feed = await addPath(deps, "/summaries");
      expect(await configureSource(deps, feed.id, { fullText: true })).toMatchObject({ ok: true, source: { fullText: true } });
      const polled = await deps.store.sources.get(feed.id);
      expect(await ingestSource(deps, polled ?? feed)).toMatchObject({ stored: 1 });
      const [article] = await allArticles(deps);
      expect(article?.summary).toBe("Trucks arrive.");
      expect(article?.text).toContain("Paragraph 6: the convoy of forty trucks");
      expect(article?.text).not.toContain("Copyright footer");
      expect(article?.text).not.toContain("Sport");
    });

    it("keeps the feed's text when the guard refuses the article page, and the source stays healthy", async () => {
      const deps = await freshDeps();
      deps.guard = async (url: URL) => {
        if (url.pathname.startsWith("/article/")) throw new Error("article host refused");
      };
      server.route("/article/refused", serveAlways(page, "text/html"));
      server.route(
        "/summaries-refused",
        serveAlways(
          rss(
            `<item><title>Refused page</title><link>${server.url}/article/refused</link><description>Short.</description></item>`,
          ),
          "application/rss+xml",
        ),
      );
      const added = await addSource(deps, { url: `${server.url}/summaries-refused`, fullText: true });
      if (!added.ok) throw new Error(added.error);
      expect(await ingestSource(deps, added.source)).toMatchObject({ ok: true, stored: 1 });
      const [article] = await allArticles(deps);
      expect(article?.text).toBe("Short.");
      expect(server.seen.some((request) => request.path === "/article/refused")).toBe(false);
      expect(
        deps.logs.some((entry) => entry.message === "full text not fetched" && entry.fields.error === "article host refused"),
      ).toBe(true);
    });
  });
});
