import { type App, createApp } from "@eventwire/api";
import { matchArticle } from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureStream } from "../support/articles";
import { createTestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

type EventJson = {
  id: string;
  title: string;
  lastSeen: string;
  articleCount: number;
  sourceCount: number;
  entities: { name: string; type: string }[];
  url: string;
};
type ArticleJson = {
  id: string;
  onTheme: boolean;
  themeScore: number | null;
  event: { id: string; url: string } | null;
  explanation?: { decision: string; probability: number | null; theme: { evidence: unknown[] } | null };
};

let db: TestStore;
let app: App;

beforeAll(async () => {
  db = await createTestStore();
  const deps = createTestDeps(db.store);
  app = createApp(deps);
  for (const article of fixtureStream("stream.jsonl")) await matchArticle(deps, article);
});

afterAll(async () => {
  await db.drop();
});

async function json<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await app.request(path);
  return { status: response.status, body: (await response.json()) as T };
}

describe("events API", () => {
  describe("happy", () => {
    it("lists the theme's events, most recently active first", async () => {
      const { status, body } = await json<{ items: EventJson[] }>("/api/v1/events");
      expect(status).toBe(200);
      expect(body.items.map((event) => event.articleCount).sort()).toEqual([2, 4]);
      const times = body.items.map((event) => event.lastSeen);
      expect([...times].sort().reverse()).toEqual(times);
      const dam = body.items.find((event) => event.articleCount === 4);
      // The syndicated copy is counted as an article, not as a source.
      expect(dam?.sourceCount).toBe(2);
      expect(dam?.entities.map((entity) => entity.name)).toEqual(expect.arrayContaining(["sdf", "isis"]));
      expect(dam?.url).toBe(`http://localhost/api/v1/events/${dam?.id}`);
    });

    it("pages through the events with cursors, each once", async () => {
      const seen: string[] = [];
      let path = "/api/v1/events?limit=1";
      for (let page = 0; page < 5; page += 1) {
        const { body } = await json<{ items: EventJson[]; nextCursor: string | null }>(path);
        seen.push(...body.items.map((event) => event.id));
        if (body.nextCursor === null) break;
        path = `/api/v1/events?limit=1&cursor=${encodeURIComponent(body.nextCursor)}`;
      }
      expect(seen).toHaveLength(2);
      expect(new Set(seen).size).toBe(2);
    });

    it("shows one event with its articles and why each is there", async () => {
      const list = await json<{ items: EventJson[] }>("/api/v1/events");
      const dam = list.body.items.find((event) => event.articleCount === 4) as EventJson;
      const { status, body } = await json<EventJson & { articles: ArticleJson[] }>(`/api/v1/events/${dam.id}`);
      expect(status).toBe(200);
      expect(body.articles).toHaveLength(4);
      expect(body.articles.every((article) => article.event?.id === dam.id && article.onTheme)).toBe(true);
      expect(body.articles.map((article) => article.explanation?.decision).sort()).toEqual([
        "attached",
        "attached",
        "copy",
        "new-event",
      ]);
      expect(body.articles.every((article) => (article.explanation?.theme?.evidence.length ?? 0) > 0)).toBe(true);
    });

    it("filters articles by event and shows each article's event and theme score", async () => {
      const list = await json<{ items: EventJson[] }>("/api/v1/events");
      const talks = list.body.items.find((event) => event.articleCount === 2) as EventJson;
      const { body } = await json<{ items: ArticleJson[] }>(`/api/v1/articles?event=${talks.id}`);
      expect(body.items).toHaveLength(2);
      expect(body.items.every((article) => article.event?.id === talks.id)).toBe(true);
      const all = await json<{ items: ArticleJson[] }>("/api/v1/articles?limit=100");
      const offTheme = all.body.items.filter((article) => !article.onTheme);
      expect(offTheme).toHaveLength(2);
      expect(offTheme.every((article) => article.event === null && article.themeScore === 0)).toBe(true);
    });
  });

  describe("error", () => {
    it.each([
      ["/api/v1/events?theme=nope", 400, "theme"],
      ["/api/v1/events?limit=0", 400, "limit"],
      ["/api/v1/events?sort=asc", 400, "sort"],
      ["/api/v1/articles?event=xyz", 400, "event"],
      [`/api/v1/events/${"0".repeat(32)}`, 404, "no event"],
      ["/api/v1/events/not-an-id", 404, "no event"],
    ])("answers %s with %i", async (path, status, words) => {
      const response = await json<{ error: { message: string } }>(path);
      expect(response.status).toBe(status);
      expect(response.body.error.message).toContain(words);
    });

    it("refuses an articles cursor on the events listing", async () => {
      const articles = await json<{ nextCursor: string }>("/api/v1/articles?limit=1");
      const response = await json<{ error: { code: string } }>(
        `/api/v1/events?cursor=${encodeURIComponent(articles.body.nextCursor)}`,
      );
      expect(response.status).toBe(400);
    });
  });
});
