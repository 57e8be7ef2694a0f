import { createApp } from "@eventwire/api";
import type { ArticleSummary, EventState } from "@eventwire/core";
import { addSource, ingestDueSources } from "@eventwire/pipeline";
import type { Store } from "@eventwire/store";
import { describe, expect, it } from "vitest";
import { createTestDeps, type TestDeps } from "../support/deps";
import { serveAlways } from "../support/http-server";
import { useTestTables } from "../support/store";
import { FIRST_THEME, judgedBy, RIVERS_THEME, rssFeed, THEMED_ITEMS, TWO_THEMES, useFeedServer } from "../support/themes";

// One deployment following two themes: one fetch and one stored article per item, each theme's
// judgement of it, its own events and its own feeds; and a table written by the one-theme
// version (article items only) working on as the first theme's.
const SITE = "two-themes.example";
const ITEMS = Object.values(THEMED_ITEMS);
const { freshTable } = useTestTables();
const { feeds } = useFeedServer();

/** Two-theme deps over a fresh table, with a source polling `path` (served with `body`). */
async function twoThemeDeps(path: string, body: string, themes = TWO_THEMES): Promise<TestDeps> {
  const table = await freshTable();
  feeds().route(path, serveAlways(body, "application/rss+xml"));
  const deps = createTestDeps(table.store, { themes }, "2026-05-04T10:00:00Z");
  const added = await addSource(deps, { url: `${feeds().url}${path}` });
  if (!added.ok) throw new Error(added.error);
  return deps;
}

const idOf = (store: Store, path: string) =>
  store.articles
    .listNewest({ limit: 100 })
    .then((page) => page.items.find((article) => article.url === `https://${SITE}${path}`)?.id);

/** A theme's events, each with the articles its index lists. */
async function eventsOf(store: Store, themeId: string): Promise<{ event: EventState; articles: ArticleSummary[] }[]> {
  const events = (await store.events.listByTheme(themeId, { limit: 100 })).items;
  return Promise.all(
    events.map(async (event) => ({ event, articles: (await store.articles.listByEvent(event.id, { limit: 100 })).items })),
  );
}

const urlsOf = (articles: readonly { url: string | null }[]) => articles.map((article) => article.url).sort();
const url = (item: { path: string }) => `https://${SITE}${item.path}`;

describe("one feed into two themes", () => {
  it("fetches once, stores each article once, and each theme judges each, with its own events", async () => {
    const deps = await twoThemeDeps("/two/feed.rss", rssFeed(SITE, ITEMS));
    const summary = await ingestDueSources(deps);
    expect(summary).toMatchObject({ succeeded: 1, failed: 0, stored: ITEMS.length });
    expect(feeds().seen.filter((request) => request.path === "/two/feed.rss")).toHaveLength(1);

    // One article item per item of the feed: the all-articles listing holds no membership.
    const all = (await deps.store.articles.listNewest({ limit: 100 })).items;
    expect(urlsOf(all)).toEqual(urlsOf(ITEMS.map((item) => ({ url: url(item) }))));
    expect(all.every((article) => article.theme === FIRST_THEME.id)).toBe(true);

    // Each theme judged every article, each once, as its own.
    for (const theme of TWO_THEMES) {
      const judged = await judgedBy(deps.store, theme.id);
      expect(urlsOf(judged), theme.id).toEqual(urlsOf(all));
      expect(judged.every((article) => article.theme === theme.id)).toBe(true);
    }
    const onFirst = urlsOf((await deps.store.articles.listByTheme(FIRST_THEME.id, { limit: 100 })).items);
    const onSecond = urlsOf((await deps.store.articles.listByTheme(RIVERS_THEME.id, { limit: 100 })).items);
    expect(onFirst).toEqual([url(THEMED_ITEMS.both), url(THEMED_ITEMS.first)].sort());
    expect(onSecond).toEqual([url(THEMED_ITEMS.both), url(THEMED_ITEMS.second)].sort());

    // Each theme's events hold its on-theme articles, all of that theme; the shared article is in both.
    for (const [theme, expected] of [
      [FIRST_THEME.id, onFirst],
      [RIVERS_THEME.id, onSecond],
    ] as const) {
      const events = await eventsOf(deps.store, theme);
      expect(events.length, theme).toBeGreaterThan(0);
      expect(urlsOf(events.flatMap((entry) => entry.articles))).toEqual(expected);
      for (const { event, articles } of events) {
        expect(event.theme).toBe(theme);
        expect(event.articleCount).toBe(articles.length);
        for (const article of articles) expect(article).toMatchObject({ theme, onTheme: true, eventId: event.id });
      }
    }
    const firstEvents = new Set((await eventsOf(deps.store, FIRST_THEME.id)).map((entry) => entry.event.id));
    const secondEvents = new Set((await eventsOf(deps.store, RIVERS_THEME.id)).map((entry) => entry.event.id));
    expect([...firstEvents].filter((id) => secondEvents.has(id))).toEqual([]);

    // A second poll of the unchanged feed judges nothing again.
    deps.clock.advance(3_600_000);
    expect(await ingestDueSources(deps)).toMatchObject({ stored: 0 });
    for (const theme of TWO_THEMES) expect(await judgedBy(deps.store, theme.id)).toHaveLength(ITEMS.length);
  });

  it("serves each theme's feeds, listings and events, and one article's judgement by each theme", async () => {
    const deps = await twoThemeDeps("/two/api.rss", rssFeed(SITE, ITEMS));
    await ingestDueSources(deps);
    const app = createApp(deps);
    const json = async (path: string) => {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      return response.json() as Promise<Record<string, unknown>>;
    };
    const feedTitles = async (path: string) => ((await json(path)).items as { title: string }[]).map((item) => item.title).sort();

    expect(await feedTitles(`/feeds/${RIVERS_THEME.id}.json`)).toEqual(
      [THEMED_ITEMS.both.title, THEMED_ITEMS.second.title].sort(),
    );
    expect(await feedTitles(`/feeds/${FIRST_THEME.id}.json`)).toEqual([THEMED_ITEMS.both.title, THEMED_ITEMS.first.title].sort());
    const eventFeed = (await json(`/feeds/${RIVERS_THEME.id}/events.json`)).items as unknown[];
    expect(eventFeed.length).toBe((await eventsOf(deps.store, RIVERS_THEME.id)).length);

    // The articles listing of a theme: every article it judged, as it judged it.
    type Listed = { url: string; theme: string; onTheme: boolean; event: { id: string } | null };
    const listed = (await json(`/api/v1/articles?theme=${RIVERS_THEME.id}`)).items as Listed[];
    expect(urlsOf(listed)).toEqual(ITEMS.map(url).sort());
    expect(listed.every((article) => article.theme === RIVERS_THEME.id)).toBe(true);
    const off = (await json(`/api/v1/articles?theme=${RIVERS_THEME.id}&onTheme=false`)).items as Listed[];
    expect(urlsOf(off)).toEqual([url(THEMED_ITEMS.first), url(THEMED_ITEMS.neither)].sort());
    const searched = (await json(`/api/v1/articles?theme=${RIVERS_THEME.id}&q=tabqa`)).items as Listed[];
    expect(searched).toMatchObject([{ url: url(THEMED_ITEMS.both), theme: RIVERS_THEME.id, onTheme: true }]);
    const sourceId = (await deps.store.sources.list())[0]?.id ?? "";
    const bySource = (await json(`/api/v1/articles?theme=${RIVERS_THEME.id}&source=${sourceId}&onTheme=true`)).items as Listed[];
    expect(urlsOf(bySource)).toEqual([url(THEMED_ITEMS.both), url(THEMED_ITEMS.second)].sort());

    // The shared article: the first theme's judgement at the top, each theme's in `themes`.
    const sharedId = (await idOf(deps.store, THEMED_ITEMS.both.path)) ?? "";
    const one = await json(`/api/v1/articles/${sharedId}`);
    const themes = one.themes as { theme: string; onTheme: boolean; event: { id: string } | null }[];
    expect(one).toMatchObject({ theme: FIRST_THEME.id, onTheme: true, event: { id: themes[0]?.event?.id } });
    expect(themes.map((entry) => entry.theme)).toEqual([FIRST_THEME.id, RIVERS_THEME.id]);
    expect(themes.every((entry) => entry.onTheme && entry.event !== null)).toBe(true);
    expect(themes[0]?.event?.id).not.toBe(themes[1]?.event?.id);

    // The second theme's event of the shared article, through the API and its article feed.
    const eventId = themes[1]?.event?.id ?? "";
    const event = await json(`/api/v1/events/${eventId}`);
    expect(event).toMatchObject({ id: eventId, theme: RIVERS_THEME.id, articleCount: 1 });
    expect(event.articles).toMatchObject([{ id: sharedId, theme: RIVERS_THEME.id, event: { id: eventId } }]);
    expect(await feedTitles(`/feeds/events/${eventId}.json`)).toEqual([THEMED_ITEMS.both.title]);
    const byEvent = (await json(`/api/v1/articles?event=${eventId}`)).items as Listed[];
    expect(byEvent).toMatchObject([{ url: url(THEMED_ITEMS.both), theme: RIVERS_THEME.id }]);
    const events = (await json(`/api/v1/events?theme=${RIVERS_THEME.id}&q=tabqa`)).items as { id: string }[];
    expect(events.map((entry) => entry.id)).toEqual([eventId]);
    const home = await (await app.request("/")).text();
    expect(home).toContain(`?theme=${RIVERS_THEME.id}`);
    const secondHome = await (await app.request(`/?theme=${RIVERS_THEME.id}`)).text();
    expect(secondHome).toContain(`/events/${eventId}`);
    const page = await app.request(`/events/${eventId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(THEMED_ITEMS.both.title);
  });

  it("an edit of the feed rewrites the article and its membership's copy", async () => {
    const path = "/two/edit.rss";
    const deps = await twoThemeDeps(path, rssFeed(SITE, [THEMED_ITEMS.both]));
    await ingestDueSources(deps);
    const edited = { ...THEMED_ITEMS.both, title: "Islamic State fighters hold the Tabqa dam on the Euphrates in Syria" };
    feeds().route(path, serveAlways(rssFeed(SITE, [edited]), "application/rss+xml"));
    deps.clock.advance(3_600_000);
    expect(await ingestDueSources(deps)).toMatchObject({ stored: 0, updated: 1 });

    const id = (await idOf(deps.store, THEMED_ITEMS.both.path)) ?? "";
    const judged = await deps.store.articles.getJudged(id);
    expect(judged?.judgements.map((entry) => [entry.theme, entry.title, entry.updatedAt])).toEqual([
      [FIRST_THEME.id, edited.title, deps.now().toISOString()],
      [RIVERS_THEME.id, edited.title, deps.now().toISOString()],
    ]);
    const feed = (await (await createApp(deps).request(`/feeds/${RIVERS_THEME.id}.json`)).json()) as {
      items: { title: string }[];
    };
    expect(feed.items.map((item) => item.title)).toEqual([edited.title]);
  });
});

describe("a later claim by the second theme", () => {
  it("joins the second theme's off-theme membership of an earlier report to its event, and leaves the first theme's judgement", async () => {
    const path = "/two/claim.rss";
    const early = {
      path: "/flood-early",
      title: "Floodwater sweeps through villages near Riverton",
      description:
        "Floodwater swept through three villages near Riverton on Friday night, destroying at least forty homes and forcing more than a thousand people to flee, emergency services said. Rescuers used boats to reach families stranded on rooftops.",
      published: "2026-05-03T20:00:00Z",
    };
    const claim = {
      path: "/flood-claim",
      title: "Burst dam on the Euphrates floods villages near Riverton",
      description:
        "A dam on the Euphrates burst on Friday night and floodwater swept through three villages near Riverton, destroying at least forty homes and forcing more than a thousand people to flee; rescuers used boats to reach families stranded on rooftops.",
      published: "2026-05-04T08:00:00Z",
    };
    const deps = await twoThemeDeps(path, rssFeed(SITE, [early]));
    await ingestDueSources(deps);
    const earlyId = (await idOf(deps.store, early.path)) ?? "";
    expect((await deps.store.articles.getJudged(earlyId))?.judgements.map((entry) => entry.onTheme)).toEqual([false, false]);

    feeds().route(path, serveAlways(rssFeed(SITE, [early, claim]), "application/rss+xml"));
    deps.clock.advance(3_600_000);
    expect(await ingestDueSources(deps)).toMatchObject({ stored: 1 });
    const [event] = (await deps.store.events.listByTheme(RIVERS_THEME.id, { limit: 10 })).items;
    expect(event).toMatchObject({ articleCount: 2 });
    const judged = await deps.store.articles.getJudged(earlyId);
    expect(judged?.judgements.map((entry) => [entry.theme, entry.onTheme, entry.eventId])).toEqual([
      [FIRST_THEME.id, false, null],
      [RIVERS_THEME.id, true, event?.id],
    ]);
    expect(judged?.judgements[1]?.explanation).toMatchObject({ reconsidered: true });
    expect(urlsOf((await deps.store.articles.listByEvent(event?.id ?? "", { limit: 10 })).items)).toEqual(
      [url(early), url(claim)].sort(),
    );
    expect(await deps.store.articles.listOffTheme(RIVERS_THEME.id, { limit: 10 })).toMatchObject({ items: [] });
    expect(urlsOf(await judgedBy(deps.store, FIRST_THEME.id))).toEqual([url(early), url(claim)].sort());
  });
});

describe("a table written by the one-theme version", () => {
  it("keeps listing, matching and serving as the first theme's; a theme added since judges what the feed still carries", async () => {
    const path = "/two/old.rss";
    const early = [THEMED_ITEMS.both, THEMED_ITEMS.second];
    const oneTheme = await twoThemeDeps(path, rssFeed(SITE, early), [FIRST_THEME]);
    await ingestDueSources(oneTheme);
    const before = (await oneTheme.store.articles.listNewest({ limit: 100 })).items;
    const [oldEvent] = (await oneTheme.store.events.listByTheme(FIRST_THEME.id, { limit: 10 })).items;
    expect(oldEvent).toBeDefined();

    // The same table, now followed with two themes: a follow-up joins the old event.
    const followUp = {
      path: "/tabqa-dam-later",
      title: "Islamic State fighters still hold the Tabqa dam on the Euphrates in Syria",
      description: "Islamic State fighters still hold the Tabqa dam on the Euphrates in northern Syria, officials said.",
      published: "2026-05-04T10:30:00Z",
    };
    feeds().route(path, serveAlways(rssFeed(SITE, [...early, followUp]), "application/rss+xml"));
    const deps = createTestDeps(oneTheme.store, { themes: TWO_THEMES }, "2026-05-04T11:30:00Z");
    expect(await ingestDueSources(deps)).toMatchObject({ stored: 1, failed: 0 });
    const later = await deps.store.articles.get((await idOf(deps.store, followUp.path)) ?? "");
    expect(later).toMatchObject({ theme: FIRST_THEME.id, onTheme: true, eventId: oldEvent?.id });

    // The old articles list as before, under their theme; the added theme judged them as the feed still carries them.
    const firstFeed = await judgedBy(deps.store, FIRST_THEME.id);
    expect(urlsOf(firstFeed)).toEqual(urlsOf([...before, { url: url(followUp) }]));
    const second = await judgedBy(deps.store, RIVERS_THEME.id);
    expect(urlsOf(second)).toEqual(urlsOf([...before, { url: url(followUp) }]));
    const app = createApp(deps);
    const feed = (await (await app.request(`/feeds/${FIRST_THEME.id}.json`)).json()) as { items: { title: string }[] };
    expect(feed.items.map((item) => item.title).sort()).toEqual([THEMED_ITEMS.both.title, followUp.title].sort());
    const article = (await (await app.request(`/api/v1/articles/${before[0]?.id}`)).json()) as { themes: unknown[] };
    expect(article.themes).toHaveLength(2);
  });
});
