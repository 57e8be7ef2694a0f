import { type App, createApp, MAX_BODY_BYTES, MAX_REQUEST_URL_LENGTH } from "@eventwire/api";
import type { Article } from "@eventwire/core";
import { createUrlGuard } from "@eventwire/pipeline";
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

    // Each body error names the field and the rule in words of its own, never the validator's.
    it.each([
      ["a number for the URL", '{"url":5}', 'field "url": expected text, got a number'],
      ["no URL", '{"title":"Desk"}', 'field "url": required'],
      ["a list for a body", "[]", "the body: expected an object, got a list"],
      ["an empty title", '{"url":"https://feeds.example/a","title":""}', 'field "title": must not be empty'],
      [
        "a fractional interval",
        '{"url":"https://feeds.example/a","intervalSeconds":300.5}',
        'field "intervalSeconds": a whole number of seconds from 5 to 86400',
      ],
      [
        "a string for fullText",
        '{"url":"https://feeds.example/a","fullText":"yes"}',
        'field "fullText": expected true or false, got text',
      ],
      [
        "an unknown field",
        '{"url":"https://feeds.example/a","colour":"red"}',
        'field "colour": not a field here (fields: url, title, intervalSeconds, fullText)',
      ],
    ])("says what is wrong with a source with %s", async (_label, body, message) => {
      const response = await app.request("/api/v1/sources", { method: "POST", headers: admin, body });
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error).toMatchObject({ code: "invalid_body", message });
    });

    it.each([
      ["text/plain", { "content-type": "text/plain" }],
      ["a form", { "content-type": "application/x-www-form-urlencoded" }],
      ["no type", {}],
    ])("answers a body sent as %s with a 415 naming application/json", async (_label, type) => {
      const json = JSON.stringify({ url: "https://feeds.example/415.xml" });
      const response = await app.request("/api/v1/sources", {
        method: "POST",
        headers: { authorization: admin.authorization, ...type },
        // Bytes, so that no Content-Type is filled in (a string body would be text/plain).
        body: new TextEncoder().encode(json),
      });
      expect(response.status).toBe(415);
      const error = ((await response.json()) as { error: { code: string; message: string; requestId: string } }).error;
      expect(error.code).toBe("unsupported_media_type");
      expect(error.message).toContain("Content-Type: application/json");
      const given = "content-type" in type ? `"${type["content-type"]}"` : "none";
      expect(error.message).toContain(`(Content-Type given: ${given})`);
      expect(error.requestId).toBe(response.headers.get("x-request-id"));
      const listed = (await (await app.request("/api/v1/sources")).json()) as { items: { url: string }[] };
      expect(listed.items.map((item) => item.url)).not.toContain("https://feeds.example/415.xml");
    });

    it("takes JSON with a charset, and a +json type", async () => {
      const created = await app.request("/api/v1/sources", {
        method: "POST",
        headers: { ...admin, "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ url: "https://feeds.example/charset.xml" }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const patched = await app.request(`/api/v1/sources/${id}`, {
        method: "PATCH",
        headers: { ...admin, "content-type": "application/merge-patch+json" },
        body: '{"fullText":true}',
      });
      expect(patched.status).toBe(200);
    });

    it("refuses a source URL with credentials in it, without repeating the password", async () => {
      const response = await app.request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: "https://reader:s3cret-word@feeds.example/private.xml" }),
      });
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("invalid_body");
      expect(error.message).toContain('field "url"');
      expect(error.message).toContain("URLs with credentials (user:password@) are not allowed for feed sources");
      expect(error.message).not.toContain("s3cret-word");
      expect(error.message).not.toContain("reader");
      const listed = (await (await app.request("/api/v1/sources")).json()) as { items: { url: string }[] };
      expect(listed.items.map((item) => item.url)).not.toContain("https://feeds.example/private.xml");
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

    it("refuses a source on a private address in words about sources, not webhook receivers", async () => {
      const guarded = createTestDeps(db.store);
      guarded.guard = (url) =>
        createUrlGuard({ allowPrivate: false, target: "sources", resolve: async () => ["10.0.0.7"] }).check(url);
      const response = await createApp(guarded).request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: "https://intranet.example/feed.xml" }),
      });
      expect(response.status).toBe(400);
      const { message } = ((await response.json()) as { error: { message: string } }).error;
      expect(message).toBe(
        'field "url": intranet.example, which resolves to 10.0.0.7, is a private address; only public addresses are allowed for feed sources (set EVENTWIRE_ALLOW_PRIVATE_URLS=true to allow feeds on local addresses)',
      );
      expect(message).not.toContain("receiver");
    });

    it("bounds a request body: past 64 KiB it is a 413 JSON error, at 64 KiB it is read", async () => {
      const url = "https://feeds.example/at-the-limit.xml";
      const json = JSON.stringify({ url });
      // JSON allows trailing white space: a body of exactly MAX_BODY_BYTES that is still valid.
      const atLimit = json + " ".repeat(MAX_BODY_BYTES - json.length);
      const read = await app.request("/api/v1/sources", { method: "POST", headers: admin, body: atLimit });
      expect(read.status).toBe(201);
      for (const headers of [admin, { ...admin, "content-length": String(atLimit.length + 1) }]) {
        const response = await app.request("/api/v1/sources", { method: "POST", headers, body: `${atLimit} ` });
        expect(response.status).toBe(413);
        const error = ((await response.json()) as { error: { code: string; message: string; requestId: string } }).error;
        expect(error.code).toBe("payload_too_large");
        expect(error.message).toContain("65536 bytes (64 KiB)");
        expect(error.requestId).toBe(response.headers.get("x-request-id"));
      }
    });

    it("never asks a GET or HEAD for its body (the Node adapter would build a whole Request for it)", async () => {
      let asked = 0;
      const watched = (url: string, init: RequestInit) => {
        const request = new Request(url, init);
        const body = request.body;
        Object.defineProperty(request, "body", {
          get() {
            asked += 1;
            return body;
          },
        });
        return request;
      };
      for (const method of ["GET", "HEAD"]) {
        const response = await app.fetch(watched("http://localhost/api/v1/events?limit=1", { method }));
        expect(response.status).toBe(200);
      }
      expect(asked).toBe(0);
      // A POST is still bounded, so its body is asked for.
      await app.fetch(watched("http://localhost/api/v1/sources", { method: "POST", headers: admin, body: "{}" }));
      expect(asked).toBeGreaterThan(0);
    });

    it("stops reading a body sent without a length once it passes the limit, never reading 10 MB", async () => {
      let pulled = 0;
      const chunk = new TextEncoder().encode(`{"url":"https://feeds.example/big.xml","title":"${"x".repeat(64 * 1024)}`);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 10 * 1024 * 1024) return controller.close();
          pulled += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const response = await app.request("/api/v1/sources", {
        method: "POST",
        headers: admin,
        body,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
      // Read up to the limit, and what the stream had queued: a few chunks, not the 10 MB.
      expect(pulled).toBeLessThan(1024 * 1024);
    });

    it("answers a URL past 8 KiB with a 414 JSON error", async () => {
      const response = await app.request(`/api/v1/events?q=${"a".repeat(MAX_REQUEST_URL_LENGTH)}`);
      expect(response.status).toBe(414);
      const error = ((await response.json()) as { error: { code: string; message: string; requestId: string } }).error;
      expect(error.code).toBe("uri_too_long");
      expect(error.message).toContain("8192 characters");
      expect(error.requestId).toBe(response.headers.get("x-request-id"));
      // Just within the limit, the route itself judges the parameter.
      const within = await app.request(`/api/v1/events?q=${"a".repeat(MAX_REQUEST_URL_LENGTH - 100)}`);
      expect(within.status).toBe(400);
      expect(((await within.json()) as { error: { message: string } }).error.message).toContain('"q"');
    });

    it("refuses unknown query parameters on the sources listing", async () => {
      const response = await app.request("/api/v1/sources?colour=blue");
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('"colour"');
    });
  });
});
