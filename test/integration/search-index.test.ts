import { type App, createApp } from "@eventwire/api";
import {
  type Article,
  type ArticleSummary,
  articleMatchesFilter,
  digestMayHold,
  searchTerms,
  textsContainTerms,
} from "@eventwire/core";
import { buildSearchIndex } from "@eventwire/pipeline";
import { type FilteredPage, keys, listArticles } from "@eventwire/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summaryFromItem } from "../../packages/store/src/article-items";
import { querySearchPage } from "../../packages/store/src/search-page";
import { testArticle } from "../support/articles";
import { createTestDeps, type TestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

// Six days of articles, 24 a day (one an hour), words drawn from a small vocabulary; a story of
// three articles on the oldest day is the only one that names "zanzibar". Each request may read
// 5 articles: without the index, the story is 140 articles (28 pages) down.
const DAYS = ["2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06"];
const WORDS = ["harbour", "traffic", "council", "budget", "railway", "weather", "festival", "election"];
const NOW = "2026-04-07T06:00:00Z";
const READ_LIMIT = 5;

let db: TestStore;
let deps: TestDeps;
let app: App;
const stored: Article[] = [];

function article(title: string, summary: string, publishedAt: string, fetchedAt: string): Article {
  const link = `https://news.example/${encodeURIComponent(title)}-${publishedAt}`;
  return {
    ...testArticle(
      { title, link, date: publishedAt, summaryHtml: summary },
      { fetchedAt: new Date(fetchedAt), sourceId: "news.example" },
    ),
    onTheme: true,
  };
}

async function store(each: Article): Promise<void> {
  expect(await db.store.articles.putIfAbsent(each)).toBe("created");
  stored.push(each);
}

type Page = { items: { id: string }[]; nextCursor: string | null };

/** Follows `nextCursor` to the end: every id in order, and the pages it took to reach the last match. */
async function readAll(path: string): Promise<{ ids: string[]; pages: number; lastMatchPage: number }> {
  const ids: string[] = [];
  let pages = 0;
  let lastMatchPage = 0;
  let url: string | null = path;
  while (url !== null && pages < 200) {
    const response = await app.request(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Page;
    pages += 1;
    if (body.items.length > 0) lastMatchPage = pages;
    ids.push(...body.items.map((item) => item.id));
    url = body.nextCursor === null ? null : `${path}&cursor=${encodeURIComponent(body.nextCursor)}`;
  }
  return { ids, pages, lastMatchPage };
}

/** The ids a search must return, newest first: every stored article whose title or summary holds the words. */
function expected(q: string): string[] {
  const filter = { terms: searchTerms(q), theme: null, eventId: null, sourceId: null, onTheme: null };
  return stored
    .filter((each) => articleMatchesFilter(each, filter))
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || b.id.localeCompare(a.id))
    .map((each) => each.id);
}

beforeAll(async () => {
  db = await createTestStore();
  deps = createTestDeps(db.store, { filterReadLimit: READ_LIMIT }, NOW);
  app = createApp(deps);
  for (const [d, day] of DAYS.entries()) {
    for (let hour = 0; hour < 24; hour += 1) {
      const time = `${day}T${String(hour).padStart(2, "0")}:10:00Z`;
      const words = [WORDS[(d + hour) % WORDS.length], WORDS[(hour * 3) % WORDS.length]];
      await store(article(`Report ${d}-${hour}: ${words[0]} news`, `The ${words[1]} update for the day.`, time, time));
    }
  }
  for (const hour of ["03", "09", "15"]) {
    const time = `2026-04-01T${hour}:40:00Z`;
    await store(article(`Zanzibar ferry service, report ${hour}`, "Boats to the islands run again.", time, time));
  }
}, 120_000);

afterAll(async () => {
  await db.drop();
});

describe("a search on a table with and without the search index", () => {
  const queries = [
    "/api/v1/articles?q=zanzibar&limit=10",
    "/api/v1/articles?q=zanzibar&theme=isis-syria&onTheme=true&limit=10",
    "/api/v1/articles?q=harbour&limit=4",
    "/api/v1/articles?q=harbour%20budget&theme=isis-syria&limit=3",
  ];
  const before = new Map<string, { ids: string[]; pages: number }>();

  it("without digests reads as before: every match, exactly once, newest first", async () => {
    expect(await db.store.search.builtSlots()).toBeNull();
    for (const path of queries) {
      const result = await readAll(path);
      const q = new URL(path, "http://x").searchParams.get("q") as string;
      expect(result.ids).toEqual(expected(q));
      before.set(path, result);
    }
    // The story is at the bottom: every article above it is read, 5 a request.
    expect(before.get(queries[0] as string)?.pages).toBeGreaterThan(25);
  });

  it("reads only keys, titles and summaries of a slot's articles, and only the matches whole", async () => {
    const queried: Record<string, unknown>[] = [];
    let fetchedWhole = 0;
    const name = "count-search-reads";
    db.clients.client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const output = out.output as { Items?: Record<string, unknown>[]; Responses?: Record<string, unknown[]> };
        const command = (context as { commandName?: string }).commandName;
        if (command === "QueryCommand") queried.push(...(output.Items ?? []).filter((item) => "title" in item));
        if (command === "BatchGetItemCommand") fetchedWhole += Object.values(output.Responses ?? {}).flat().length;
        return out;
      },
      { step: "initialize", name },
    );
    try {
      // No digest yet: the search reads every article until it has its page.
      expect(await db.store.search.builtSlots()).toBeNull();
      const filter = { terms: searchTerms("harbour"), theme: null, eventId: null, sourceId: null, onTheme: null };
      const page = await listArticles(
        db.store.articles,
        { filter, since: null, until: null },
        { limit: 4, after: null, maxRead: 40 },
      );
      expect(page.items).toHaveLength(4);
      expect(page.items.map((each) => each.id)).toEqual(expected("harbour").slice(0, 4));
      // Whole items come with their URL and source; the slots' articles came without.
      for (const each of page.items) {
        const source = stored.find((one) => one.id === each.id) as Article;
        expect([each.url, each.sourceId, each.publishedAt]).toEqual([source.url, source.sourceId, source.publishedAt]);
      }
      expect(queried.length).toBeGreaterThan(page.items.length);
      for (const item of queried) expect(Object.keys(item).sort()).toEqual(["gsi1sk", "pk", "sk", "summary", "title"]);
      expect(fetchedWhole).toBe(page.items.length);
    } finally {
      db.clients.client.middlewareStack.remove(name);
    }
  });

  it("once built, finds the oldest day's story within a few pages, and the same articles in the same order", async () => {
    const build = await buildSearchIndex(deps);
    // Closed at 04:00 on the 7th (two hours ago, floored to a slot): six whole days and 48 slots of the 7th.
    expect(build).toMatchObject({ days: 6, slots: 6 * 288 + 48, articles: stored.length, more: false });
    for (const path of queries) {
      const result = await readAll(path);
      expect(result.ids).toEqual(before.get(path)?.ids);
    }
    const story = await readAll(queries[0] as string);
    expect(story.ids).toHaveLength(3);
    expect(story.lastMatchPage).toBeLessThanOrEqual(2);
    expect(story.pages).toBeLessThanOrEqual(3);
    expect((await readAll(queries[1] as string)).pages).toBeLessThanOrEqual(3);
  });

  it("reads at most the request's bound of articles a page, and goes on from where it stopped", async () => {
    const filter = { terms: searchTerms("harbour"), theme: null, eventId: null, sourceId: null, onTheme: null };
    const ids: string[] = [];
    let after: Record<string, string> | null = null;
    for (let page = 0; page < 100; page += 1) {
      const result = await listArticles(db.store.articles, { filter, since: null, until: null }, { limit: 3, after, maxRead: 4 });
      expect(result.read).toBeLessThanOrEqual(4);
      ids.push(...result.items.map((each) => each.id));
      after = result.nextKey;
      if (after === null) break;
    }
    expect(ids).toEqual(expected("harbour"));
  });

  it.each([
    ["zanzibar", 1],
    ["harbour", 1],
    ["harbour", 20_000],
  ])("moves on every page, whatever its digest budget (%s, %i bytes), and returns every match once", async (q, budget) => {
    const ids: string[] = [];
    let after: Record<string, string> | null = null;
    let pages = 0;
    do {
      const query = { tableName: db.tableName, index: "gsi1" as const, partition: keys.articleCollection, range: {} };
      const result: FilteredPage<ArticleSummary> = await querySearchPage(
        db.clients.doc,
        db.store.search,
        { ...query, terms: searchTerms(q), read: summaryFromItem, digestBudget: budget },
        {
          limit: 4,
          after,
          maxRead: 50,
          accept: (each: ArticleSummary) => textsContainTerms(searchTerms(q), [each.title, each.summary]),
        },
      );
      ids.push(...result.items.map((each) => each.id));
      after = result.nextKey;
      pages += 1;
    } while (after !== null && pages < 3000);
    expect(ids).toEqual(expected(q));
  });

  it("keeps to a publication-time range (since, until) as before", async () => {
    const path = "/api/v1/articles?q=harbour&since=2026-04-02&until=2026-04-04T11:00:00Z&limit=4";
    const want = expected("harbour").filter((id) => {
      const at = stored.find((each) => each.id === id)?.publishedAt ?? "";
      return at >= "2026-04-02" && at <= "2026-04-04T11:00:00Z";
    });
    expect(want.length).toBeGreaterThan(5);
    expect((await readAll(path)).ids).toEqual(want);
  });

  it("builds nothing twice: a second build writes no digest", async () => {
    expect(await buildSearchIndex(deps)).toMatchObject({ slots: 0, days: 0, articles: 0 });
  });

  it("finds an article written late into a digested bucket, before and after its mark is folded in", async () => {
    await store(article("Zanzibar harbour reopens", "A late report.", "2026-04-03T10:05:00Z", NOW));
    expect(await db.store.search.pendingLateMarks(10)).toHaveLength(1);
    expect((await readAll(queries[0] as string)).ids).toEqual(expected("zanzibar"));
    expect(expected("zanzibar")).toHaveLength(4);

    const build = await buildSearchIndex(deps);
    expect(build.folded).toBe(1);
    expect(await db.store.search.pendingLateMarks(10)).toEqual([]);
    const [day] = await db.store.search.digests("day", { fromStart: "2026-04-03", toStart: "2026-04-03T00:00:00.000Z" }, 1);
    expect(day && digestMayHold(day.digest, ["zanzibar"])).toBe(true);
    const after = await readAll(queries[0] as string);
    expect(after.ids).toEqual(expected("zanzibar"));
    expect(after.pages).toBeLessThanOrEqual(4);
  });

  it("finds the new words of an old article edited after its bucket was digested", async () => {
    const old = stored.find((each) => each.publishedAt.startsWith("2026-04-02T05")) as Article;
    const edit = { ...old, title: "Quokka sighting at the harbour", contentHash: "edited", updatedAt: NOW, memberships: [] };
    expect(await db.store.articles.updateContent(edit, old.contentHash)).toBe("updated");
    stored.splice(stored.indexOf(old), 1, { ...old, title: edit.title, contentHash: edit.contentHash });
    expect((await readAll("/api/v1/articles?q=quokka&limit=5")).ids).toEqual([old.id]);
    await buildSearchIndex(deps);
    expect((await readAll("/api/v1/articles?q=quokka&limit=5")).ids).toEqual([old.id]);
  });

  it("reads the buckets not digested yet (the last two hours) as before", async () => {
    await store(article("Zanzibar airport news", "Fresh.", "2026-04-07T05:30:00Z", NOW));
    const result = await readAll(queries[0] as string);
    expect(result.ids).toEqual(expected("zanzibar"));
    expect(result.ids[0]).toBe(stored.at(-1)?.id);
  });

  it("covers only the span it built when asked to stop: the rest is built by the next build", async () => {
    const fresh = await createTestStore();
    try {
      const freshDeps = createTestDeps(fresh.store, {}, NOW);
      for (const each of stored.slice(0, 60)) await fresh.store.articles.putIfAbsent(each);
      const first = await buildSearchIndex(freshDeps, 10);
      expect(first.more).toBe(true);
      const second = await buildSearchIndex(freshDeps);
      expect(second.more).toBe(false);
      const built = await fresh.store.search.builtSlots();
      expect(built?.oldest.start).toBe("2026-04-01T00:00:00.000Z");
      expect(first.days + second.days).toBe(6);
    } finally {
      await fresh.drop();
    }
  });
});
