import { type App, createApp } from "@eventwire/api";
import { wordTokens } from "@eventwire/core";
import { matchArticle } from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureStream, testArticle } from "../support/articles";
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

  describe("what an event is shown with", () => {
    // Three outlets report one ambush; one of them credits another, and one names itself.
    const REPORTS = [
      {
        outlet: "Levant Wire",
        title: "Islamic State gunmen ambush army bus near Sukhnah",
        text: "Islamic State gunmen ambushed a bus carrying army conscripts near Sukhnah in the Syrian desert, killing twelve soldiers, officials said. Levant Wire identified four of the dead from hospital records in Homs.",
      },
      {
        outlet: "Crescent Times",
        title: "Twelve soldiers killed in Islamic State ambush near Sukhnah",
        text: "PALMYRA (Levant Wire) - Twelve soldiers were killed when Islamic State gunmen ambushed their bus near Sukhnah, officials said, and the army identified the conscripts through their families in Homs.",
      },
      {
        outlet: "Euphrates Daily",
        title: "Army names conscripts killed in Islamic State ambush near Sukhnah",
        text: "The army identified the twelve conscripts killed in the Islamic State ambush on their bus near Sukhnah, officials said, as funerals were held in Homs. (Levant Wire)",
      },
    ];

    it("terms are words its articles wrote, not stems; outlets and credit lines are not entities", async () => {
      const table = await createTestStore();
      try {
        const deps = createTestDeps(table.store);
        for (const [index, report] of REPORTS.entries()) {
          const article = testArticle(
            {
              title: report.title,
              link: `https://outlet-${index}.example/ambush`,
              date: `2026-05-03T0${index + 6}:00:00Z`,
              contentHtml: report.text,
            },
            { sourceId: `outlet-${index}`, sourceTitle: report.outlet },
          );
          await matchArticle(deps, article);
        }
        const local = createApp(deps);
        const list = (await (await local.request("/api/v1/events")).json()) as { items: (EventJson & { terms: string[] })[] };
        expect(list.items).toHaveLength(1);
        const event = list.items[0] as EventJson & { terms: string[] };
        expect(event.articleCount).toBe(3);
        const written = new Set(REPORTS.flatMap((report) => wordTokens(`${report.title} ${report.text}`)));
        expect(event.terms).toHaveLength(10);
        expect(event.terms.filter((term) => !written.has(term))).toEqual([]);
        // Words whose stems differ from them ("islam", "twelv", "kill").
        expect(event.terms).toEqual(expect.arrayContaining(["islamic", "twelve", "killed"]));
        const single = (await (await local.request(`/api/v1/events/${event.id}`)).json()) as { terms: string[] };
        expect(single.terms).toEqual(event.terms);
        const entities = event.entities.map((entity) => entity.name);
        expect(entities).toEqual(expect.arrayContaining(["isis", "sukhnah"]));
        expect(entities.filter((name) => /levant|crescent|euphrates daily/.test(name))).toEqual([]);
      } finally {
        await table.drop();
      }
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
