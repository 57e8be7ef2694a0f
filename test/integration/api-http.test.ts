import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import {
  type App,
  ARTICLE,
  ARTICLE_PAGE,
  createApp,
  createMemoryRateLimiter,
  EVENT_DETAIL,
  EVENT_PAGE,
  EVENTS_QUERY,
  SOURCE,
  SOURCE_LIST,
  THEME_LIST,
} from "@eventwire/api";
import type { EventState } from "@eventwire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { listen, type RunningServer } from "../../functions/local/http-server";
import { testArticle } from "../support/articles";
import { createTestDeps, TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { storeStory } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";

let db: TestStore;
let deps: TestDeps;
let app: App;
let event: EventState;
let articleId: string;
let sourceId: string;

beforeAll(async () => {
  db = await createTestStore();
  deps = createTestDeps(db.store);
  app = createApp(deps);
  const stored = await storeStory(db.store, {
    title: "Talks on the Tabqa dam resume",
    articles: [
      { source: "alpha.example", published: "2026-05-01T09:00:00Z", title: "Talks on the Tabqa dam resume" },
      { source: "beta.example", published: "2026-05-01T11:00:00Z", title: "Dam talks: a second day" },
    ],
  });
  event = stored.event;
  articleId = stored.articles[0]?.id as string;
  const created = await app.request("/api/v1/sources", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ url: "https://feeds.example/syria.xml" }),
  });
  sourceId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await db.drop();
});

const routes = () =>
  [
    ["/api/v1/events", EVENT_PAGE],
    [`/api/v1/events/${event.id}`, EVENT_DETAIL],
    ["/api/v1/articles", ARTICLE_PAGE],
    [`/api/v1/articles/${articleId}`, ARTICLE],
    ["/api/v1/themes", THEME_LIST],
    ["/api/v1/sources", SOURCE_LIST],
    [`/api/v1/sources/${sourceId}`, SOURCE],
  ] as [string, z.ZodType][];

describe("HTTP caching", () => {
  it("answers every JSON GET with a strong ETag, Cache-Control, a 304 on If-None-Match, and HEAD", async () => {
    for (const [path] of routes()) {
      const first = await app.request(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.get("etag") ?? "";
      expect(etag, path).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
      expect(first.headers.get("cache-control"), path).toMatch(/^(public, max-age=60|no-cache)$/);
      const again = await app.request(path, { headers: { "if-none-match": etag } });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      const other = await app.request(path, { headers: { "if-none-match": '"something-else"' } });
      expect(other.status, path).toBe(200);
      const head = await app.request(path, { method: "HEAD" });
      expect(head.status, path).toBe(200);
      expect(head.headers.get("etag"), path).toBe(etag);
      expect(await head.text()).toBe("");
    }
  });

  it("derives the ETag from the content: a new article changes the event's", async () => {
    const own = await createTestStore();
    const ownApp = createApp(createTestDeps(own.store));
    const story = {
      title: "A convoy is stopped",
      articles: [{ source: "a.example", published: "2026-05-02T08:00:00Z", title: "A convoy is stopped" }],
    };
    const first = await storeStory(own.store, story);
    const before = (await ownApp.request(`/api/v1/events/${first.event.id}`)).headers.get("etag");
    expect((await ownApp.request(`/api/v1/events/${first.event.id}`)).headers.get("etag")).toBe(before);
    // Another report of the same event lands in the table.
    await own.store.articles.putIfAbsent({
      ...testArticle({ title: "Convoy held at the border", link: "https://b.example/convoy", date: "2026-05-02T09:00:00Z" }),
      onTheme: true,
      eventId: first.event.id,
    });
    const after = await ownApp.request(`/api/v1/events/${first.event.id}`, { headers: { "if-none-match": before ?? "" } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
    await own.drop();
  });

  it("gives an event's Last-Modified and answers If-Modified-Since with 304 once it has settled", async () => {
    const path = `/api/v1/events/${event.id}`;
    const response = await app.request(path);
    const lastModified = response.headers.get("last-modified") ?? "";
    // storeStory stamps its articles as fetched at 2026-05-04T10:00:00Z; the clock stands there.
    expect(lastModified).toBe(new Date("2026-05-04T10:00:00Z").toUTCString());
    expect((await app.request(path, { headers: { "if-modified-since": lastModified } })).status).toBe(200);
    deps.clock.advance(120_000);
    const settled = await app.request(path, { headers: { "if-modified-since": lastModified } });
    expect(settled.status).toBe(304);
    const older = new Date("2026-05-04T09:00:00Z").toUTCString();
    expect((await app.request(path, { headers: { "if-modified-since": older } })).status).toBe(200);
  });
});

describe("OpenAPI and docs", () => {
  it("serves an OpenAPI 3.1 document naming every route and the parameters the routes validate", async () => {
    const response = await app.request("/openapi.json");
    expect(response.status).toBe(200);
    const spec = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(spec.openapi).toBe("3.1.0");
    for (const path of [
      "/api/v1/events",
      "/api/v1/events/{id}",
      "/api/v1/articles",
      "/api/v1/articles/{id}",
      "/api/v1/themes",
      "/api/v1/sources",
      "/api/v1/sources/{id}",
    ]) {
      expect(spec.paths[path]?.get, path).toBeDefined();
    }
    const events = spec.paths["/api/v1/events"]?.get;
    expect(events?.parameters?.filter((p) => p.in === "query").map((p) => p.name)).toEqual(Object.keys(EVENTS_QUERY.shape));
    expect(Object.keys(events?.responses ?? {})).toEqual(expect.arrayContaining(["200", "304", "400", "429"]));
    expect(Object.keys(spec.components.schemas)).toEqual(
      expect.arrayContaining(["Event", "EventPage", "Article", "Error", "Source"]),
    );
    expect(spec.paths["/api/v1/sources"]?.post).toMatchObject({ security: [{ adminKey: [] }] });
  });

  it("answers every route with a body the documented schema accepts", async () => {
    for (const [path, schema] of routes()) {
      const body = await (await app.request(path)).json();
      const result = schema.safeParse(body);
      expect(result.success, `${path}: ${result.error?.message}`).toBe(true);
    }
  });

  it("serves a docs page listing every operation of the document, with no scripts", async () => {
    const response = await app.request("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const page = await response.text();
    const spec = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods)) expect(page).toContain(`${method.toUpperCase()} ${path}`);
    }
    expect(page).toContain("<code>minSources</code>");
    expect(page).not.toContain("<script");
    // The one inline style is allowed by its hash, and nothing else may run or load.
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toMatch(/script-src|unsafe-inline/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? "";
    expect(policy).toContain(`style-src 'sha256-${createHash("sha256").update(style).digest("base64")}'`);
  });
});

describe("rate limit", () => {
  function limited(capacity: number) {
    const limitedDeps = createTestDeps(db.store);
    const app = createApp({
      ...limitedDeps,
      rateLimiter: createMemoryRateLimiter({ capacity, refillPerSecond: 1 }, limitedDeps.clock.now),
      clientAddress: (c) => c.req.header("x-test-client"),
    });
    return { app, clock: limitedDeps.clock };
  }
  const from = (client: string, extra: Record<string, string> = {}) => ({ headers: { "x-test-client": client, ...extra } });

  it("counts each client's requests in RateLimit headers and answers 429 with Retry-After past the limit", async () => {
    const { app, clock } = limited(3);
    const remaining: (string | null)[] = [];
    for (let request = 0; request < 3; request += 1) {
      const response = await app.request("/api/v1/themes", from("198.51.100.7"));
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBe("3");
      expect(response.headers.get("ratelimit-policy")).toBe("3;w=3");
      remaining.push(response.headers.get("ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const refused = await app.request("/api/v1/events", from("198.51.100.7"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    const body = (await refused.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code: "rate_limited", requestId: refused.headers.get("x-request-id") });
    expect(body.error.message).toContain("try again in 1 s");
    // Another client has its own allowance; /health is never limited.
    expect((await app.request("/api/v1/themes", from("203.0.113.9"))).status).toBe(200);
    expect((await app.request("/health", from("198.51.100.7"))).status).toBe(200);
    clock.advance(1_000);
    expect((await app.request("/feeds/isis-syria.rss", from("198.51.100.7"))).status).toBe(200);
  });

  it("keeps the RateLimit headers on a 304", async () => {
    const { app } = limited(5);
    const etag = (await app.request("/api/v1/themes", from("192.0.2.1"))).headers.get("etag") ?? "";
    const again = await app.request("/api/v1/themes", from("192.0.2.1", { "if-none-match": etag }));
    expect(again.status).toBe(304);
    expect(again.headers.get("ratelimit-remaining")).toBe("3");
  });
});

describe("request limits over a real HTTP server", () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await listen(createApp(deps).fetch, "127.0.0.1", 0);
  });
  afterAll(async () => {
    await running.close();
  });

  /** Sends `request` as it stands and reads the whole answer until the server closes. */
  function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(running.port, "127.0.0.1");
      let answer = "";
      socket.on("data", (chunk) => {
        answer += chunk.toString("utf8");
      });
      socket.on("error", reject);
      socket.on("close", () => {
        const [head = "", body = ""] = answer.split("\r\n\r\n");
        resolve({ status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body });
      });
      socket.end(request);
    });
  }

  type ErrorAnswer = { error: { code: string; message: string; requestId: string | null } };

  it("answers a URL past what Node reads (16 KiB) with a JSON 414, not an empty 431", async () => {
    const answer = await raw(`GET /api/v1/events?q=${"a".repeat(20_000)} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    expect(answer.status).toBe(414);
    expect(answer.headers).toContain("content-type: application/json");
    expect(JSON.parse(answer.body) as ErrorAnswer).toEqual({
      error: {
        code: "uri_too_long",
        message: "the URL is longer than 8192 characters, the most this server reads",
        requestId: null,
      },
    });
  });

  it("answers a URL past 8 KiB that Node still reads with the app's own 414", async () => {
    const response = await fetch(`${running.url}/api/v1/events?q=${"a".repeat(10_000)}`);
    expect(response.status).toBe(414);
    const { error } = (await response.json()) as ErrorAnswer;
    expect(error.code).toBe("uri_too_long");
    expect(error.requestId).toBe(response.headers.get("x-request-id"));
  });

  it("answers oversized headers with a JSON 431, and a request that is not HTTP with a JSON 400", async () => {
    const headers = await raw(`GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ${"b".repeat(20_000)}\r\n\r\n`);
    expect(headers.status).toBe(431);
    expect((JSON.parse(headers.body) as ErrorAnswer).error.code).toBe("headers_too_large");
    const garbage = await raw("HELLO THERE\r\n\r\n");
    expect(garbage.status).toBe(400);
    expect((JSON.parse(garbage.body) as ErrorAnswer).error.code).toBe("bad_request");
  });

  it("answers a 10 MB JSON body to an admin route with a 413 JSON error, and goes on serving", async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${running.url}/api/v1/sources`,
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${TEST_ADMIN_KEY}`,
            "content-type": "application/json",
            "content-length": String(10 * 1024 * 1024),
          },
        },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString("utf8");
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      // The server may close before all 10 MB are sent: that is the point.
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
      });
      request.write(`{"url":"https://feeds.example/huge.xml","title":"`);
      request.end("x".repeat(10 * 1024 * 1024 - 50));
    });
    expect(status.status).toBe(413);
    expect((JSON.parse(status.body) as ErrorAnswer).error.code).toBe("payload_too_large");
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });

  it("answers a GET that carries a body as one without it (a read has no body to bound or read)", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${running.url}/api/v1/events?limit=1`,
        { method: "GET", headers: { "content-type": "application/json", "content-length": String(128 * 1024) } },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString("utf8");
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on("error", reject);
      request.end("x".repeat(128 * 1024));
    });
    expect(answer.status).toBe(200);
    expect(Array.isArray((JSON.parse(answer.body) as { items: unknown[] }).items)).toBe(true);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });
});
