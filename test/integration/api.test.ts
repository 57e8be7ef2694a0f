import { type App, createApp } from "@eventwire/api";
import type { Article } from "@eventwire/core";
import { createStore } from "@eventwire/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testArticle } from "../support/articles";
import { createTestDeps, TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { createTestStore, type TestStore } from "../support/store";

let db: TestStore;
let deps: TestDeps;
let app: App;
let server: TestHttpServer;
const ARTICLE_COUNT = 23;

function article(index: number): Article {
  return testArticle({
    title: `Story number ${index}`,
    link: `https://news.example/story/${index}`,
    date: new Date(Date.UTC(2026, 4, 1, 0, index)).toISOString(),
    summaryHtml: `<p>Summary ${index}</p>`,
  });
}

const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" };

beforeAll(async () => {
  db = await createTestStore();
  deps = createTestDeps(db.store);
  app = createApp(deps);
  server = await startTestServer();
  for (let index = 0; index < ARTICLE_COUNT; index += 1) await deps.store.articles.putIfAbsent(article(index));
});

afterAll(async () => {
  await server.close();
  await db.drop();
});

describe("API", () => {
  describe("happy", () => {
    it("GET /health answers ok when the table answers", async () => {
      const response = await app.request("/health");
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "ok", checks: { table: "ok" } });
    });

    it("pages through every article newest first, each exactly once", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? "?limit=5" : `?limit=5&cursor=${encodeURIComponent(cursor)}`;
        const response = await app.request(`/api/v1/articles${query}`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { items: { id: string; publishedAt: string }[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(5);
        seen.push(...body.items.map((item) => item.publishedAt));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(seen).toHaveLength(ARTICLE_COUNT);
      expect(new Set(seen).size).toBe(ARTICLE_COUNT);
      expect([...seen].sort().reverse()).toEqual(seen);
    });

    it("GET /api/v1/articles/{id} gives one article with its text", async () => {
      const one = article(3);
      const response = await app.request(`/api/v1/articles/${one.id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        id: one.id,
        title: "Story number 3",
        text: "Summary 3",
        source: { id: "src", title: "News Example" },
      });
    });

    it("adds a source with the admin key, idempotently, and lists it", async () => {
      const url = "https://feeds.example/syria.xml";
      const created = await app.request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url, title: "Syria desk" }),
      });
      expect(created.status).toBe(201);
      const source = (await created.json()) as { id: string; url: string; title: string };
      expect(source).toMatchObject({ url, title: "Syria desk" });
      expect(created.headers.get("location")).toBe(`/api/v1/sources/${source.id}`);

      const again = await app.request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: `${url}?utm_source=x` }),
      });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { id: string }).id).toBe(source.id);

      const list = (await (await app.request("/api/v1/sources")).json()) as { items: { id: string }[] };
      expect(list.items.filter((item) => item.id === source.id)).toHaveLength(1);
      const one = await app.request(`/api/v1/sources/${source.id}`);
      expect(one.status).toBe(200);
      expect(await one.json()).toMatchObject({ id: source.id, url, lastError: null });
      expect((await app.request("/api/v1/sources/0000")).status).toBe(404);
    });

    it("refreshes one source now and runs every due source on request", async () => {
      const own = await createTestStore();
      const ownApp = createApp(createTestDeps(own.store));
      server.route("/feed.atom", serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"));
      server.route("/feed.rdf", serveAlways(fixture("feeds/rdf.xml"), "application/rdf+xml"));
      const ids: string[] = [];
      for (const path of ["/feed.atom", "/feed.rdf"]) {
        const created = await ownApp.request("/api/v1/sources", {
          method: "POST",
          headers: admin,
          body: JSON.stringify({ url: `${server.url}${path}` }),
        });
        ids.push(((await created.json()) as { id: string }).id);
      }
      const refreshed = await ownApp.request(`/api/v1/sources/${ids[0]}/refresh`, { method: "POST", headers: admin });
      expect(refreshed.status).toBe(200);
      expect(await refreshed.json()).toMatchObject({ ok: true, status: "fetched", stored: 2 });

      // The refreshed source is not due again yet; the other one is.
      const run = await ownApp.request("/api/v1/ingest/run", { method: "POST", headers: admin });
      expect(run.status).toBe(200);
      expect(await run.json()).toMatchObject({ sourcesKnown: 2, sourcesDue: 1, succeeded: 1, stored: 2 });
      await own.drop();
    });

    it("changes a source's settings with PATCH and shows its polling state", async () => {
      const created = await app.request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: "https://feeds.example/settings.xml", fullText: true }),
      });
      const source = (await created.json()) as { id: string; fullText: boolean; pollIntervalSeconds: number | null };
      expect(source).toMatchObject({ fullText: true, pollIntervalSeconds: null });

      const patched = await app.request(`/api/v1/sources/${source.id}`, {
        method: "PATCH",
        headers: admin,
        body: JSON.stringify({ fullText: false, enabled: false, intervalSeconds: 900 }),
      });
      expect(patched.status).toBe(200);
      expect(await patched.json()).toMatchObject({
        id: source.id,
        fullText: false,
        enabled: false,
        intervalSeconds: 900,
        status: "disabled",
      });

      deps.clock.advance(60_000);
      const enabled = await app.request(`/api/v1/sources/${source.id}`, {
        method: "PATCH",
        headers: admin,
        body: '{"enabled":true}',
      });
      // Switched back on, it is due at once.
      expect(await enabled.json()).toMatchObject({ enabled: true, nextPollAt: deps.clock.now().toISOString() });
      const shown = (await (await app.request(`/api/v1/sources/${source.id}`)).json()) as Record<string, unknown>;
      for (const field of [
        "lastAttemptAt",
        "lastSuccessAt",
        "lastError",
        "consecutiveFailures",
        "nextPollAt",
        "pollIntervalSeconds",
      ]) {
        expect(shown, field).toHaveProperty(field);
      }
    });

    it("answers JSON GETs with validators and 304 on If-None-Match", async () => {
      const first = await app.request("/api/v1/articles?limit=3");
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(first.headers.get("cache-control")).toBe("public, max-age=60");
      const second = await app.request("/api/v1/articles?limit=3", { headers: { "if-none-match": etag ?? "" } });
      expect(second.status).toBe(304);
      expect(await second.text()).toBe("");
    });
  });

  describe("error", () => {
    it.each([
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=ten", "limit"],
      ["cursor=bogus", "cursor"],
      ["colour=blue", "colour"],
    ])("refuses ?%s with a 400 naming %s", async (query, parameter) => {
      const response = await app.request(`/api/v1/articles?${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe("invalid_parameter");
      expect(body.error.message).toContain(`"${parameter}"`);
      expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
    });

    it("answers unknown routes and ids with a JSON 404", async () => {
      for (const path of ["/nowhere", "/api/v1/articles/ffffffffffffffffffffffffffffffff", "/api/v1/articles/not-an-id"]) {
        const response = await app.request(path);
        expect(response.status).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
      }
      const refresh = await app.request("/api/v1/sources/0123/refresh", { method: "POST", headers: admin });
      expect(refresh.status).toBe(404);
    });

    it.each([
      ["not JSON", "{url:", "not valid JSON"],
      ["no url", "{}", '"url"'],
      ["a non-http URL", JSON.stringify({ url: "ftp://feeds.example/x" }), "not an absolute http(s) URL"],
      ["an unknown field", JSON.stringify({ url: "https://feeds.example/a", colour: "red" }), '"colour"'],
      ["an interval too short", JSON.stringify({ url: "https://feeds.example/a", intervalSeconds: 1 }), '"intervalSeconds"'],
    ])("refuses a source with %s", async (_label, body, words) => {
      const response = await app.request("/api/v1/sources", { method: "POST", headers: admin, body });
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("invalid_body");
      expect(error.message).toContain(words);
    });

    it.each([
      ["an unknown field", '{"colour":"red"}', 400, '"colour"'],
      ["a non-boolean fullText", '{"fullText":"yes"}', 400, '"fullText"'],
      ["an interval too short", '{"intervalSeconds":1}', 400, '"intervalSeconds"'],
    ])("refuses a PATCH of a source with %s", async (_label, body, status, words) => {
      const created = await app.request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: "https://feeds.example/patch-errors.xml" }),
      });
      const { id } = (await created.json()) as { id: string };
      const response = await app.request(`/api/v1/sources/${id}`, { method: "PATCH", headers: admin, body });
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(words);
    });

    it("answers a PATCH of an unknown source with a 404", async () => {
      const response = await app.request("/api/v1/sources/0123", { method: "PATCH", headers: admin, body: '{"fullText":true}' });
      expect(response.status).toBe(404);
    });

    it("answers 503 from /health when the table does not answer", async () => {
      const missing = createApp(createTestDeps(createStore(db.clients, "no-such-table")));
      const response = await missing.request("/health");
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; checks: { table: string } };
      expect(body.status).toBe("unavailable");
      expect(body.checks.table).toBe("unreachable (ResourceNotFoundException)");
    });
  });

  describe("security", () => {
    it.each([
      ["no header", {}],
      ["a wrong key", { authorization: "Bearer wrong-key-wrong-key-wrong" }],
      ["another scheme", { authorization: `Basic ${TEST_ADMIN_KEY}` }],
    ])("refuses management routes with %s", async (_label, headers) => {
      for (const [method, path] of [
        ["POST", "/api/v1/sources"],
        ["POST", "/api/v1/ingest/run"],
        ["POST", "/api/v1/sources/abc/refresh"],
        ["PATCH", "/api/v1/sources/abc"],
      ] as const) {
        const response = await app.request(path, {
          method,
          headers: { ...headers, "content-type": "application/json" },
          body: "{}",
        });
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toContain("Bearer");
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      }
    });

    it("turns management routes off when no admin key is configured", async () => {
      const closed = createApp(createTestDeps(db.store, { adminKey: null }));
      const response = await closed.request("/api/v1/ingest/run", { method: "POST", headers: admin });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("admin_disabled");
    });

    it.each(["/api/v1/articles", "/api/v1/sources", "/health"])(
      "never shows internal details to the client on %s",
      async (path) => {
        const failing = createApp(createTestDeps(createStore(db.clients, "no-such-table")));
        const response = await failing.request(path);
        expect(response.status).toBeGreaterThanOrEqual(500);
        const text = await response.text();
        expect(text).not.toMatch(/no-such-table|Cannot do operations|non-existent|at .*\.ts/);
      },
    );

    it("refuses unknown query parameters on the sources listing", async () => {
      const response = await app.request("/api/v1/sources?colour=blue");
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('"colour"');
    });
  });
});
