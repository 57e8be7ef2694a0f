import { addSource, ingestDueSources, ingestSource, maintainEvents } from "@eventwire/pipeline";
import type { Store } from "@eventwire/store";
import { describe, expect, it } from "vitest";
import { createTestDeps } from "../support/deps";
import { type Story, storeStory } from "../support/events";
import { serveWithEtag } from "../support/http-server";
import { runUntilKilled } from "../support/killed-child";
import { articleIdsOf, mergeWhenRecent, twinStoriesBefore } from "../support/maintenance";
import { useTestTables } from "../support/store";
import { FIRST_THEME, judgedBy, RIVERS_THEME, rssFeed, THEMED_ITEMS, TWO_THEMES, useFeedServer } from "../support/themes";

// Two themes over one table, in the ways a deployment fails or is maintained: an ingest killed
// between the first theme's commits and the second's, and a maintenance pass of the second theme,
// whose judgements are memberships of articles the first theme stored.
const SITE = "crash-themes.example";
const AT = "2026-05-04T10:00:00Z";
const ITEMS = Object.values(THEMED_ITEMS);
const { freshTable } = useTestTables();
const { feeds } = useFeedServer();

/** Each of the theme's events with its article ids, by event id. */
async function eventMembers(store: Store, themeId: string): Promise<Map<string, { version: number; articles: string[] }>> {
  const events = (await store.events.listByTheme(themeId, { limit: 100 })).items;
  const out = new Map<string, { version: number; articles: string[] }>();
  for (const event of events) out.set(event.id, { version: event.version, articles: await articleIdsOf(store, event.id) });
  return out;
}

describe("several themes, crash-safe", () => {
  it("a run killed after the first theme's commits is finished by the next poll: each theme judges each article once", async () => {
    const table = await freshTable();
    const path = "/crash/feed.rss";
    feeds().route(path, serveWithEtag(rssFeed(SITE, ITEMS), "application/rss+xml", '"themes-v1"'));
    const deps = createTestDeps(table.store, { themes: TWO_THEMES }, AT);
    const added = await addSource(deps, { url: `${feeds().url}${path}` });
    if (!added.ok) throw new Error(added.error);

    const killed = await runUntilKilled("./ingest-then-die.ts", {
      DYNAMODB_ENDPOINT: table.endpoint,
      TABLE: table.tableName,
      AT,
    });
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    // The first theme stored every article; the second judged none; the source's validators wait.
    expect((await table.store.articles.listNewest({ limit: 100 })).items).toHaveLength(ITEMS.length);
    expect(await judgedBy(table.store, FIRST_THEME.id)).toHaveLength(ITEMS.length);
    expect(await judgedBy(table.store, RIVERS_THEME.id)).toEqual([]);
    const [source] = await table.store.sources.list();
    expect(source?.etag).toBeNull();
    const firstEvents = await eventMembers(table.store, FIRST_THEME.id);
    expect(firstEvents.size).toBeGreaterThan(0);

    // The next poll (the source is due again once its back-off is over) finishes the second theme.
    const result = await ingestSource(deps, source as NonNullable<typeof source>);
    expect(result).toMatchObject({ ok: true, status: "fetched", stored: 0, skipped: 0 });
    const second = await judgedBy(table.store, RIVERS_THEME.id);
    expect(new Set(second.map((article) => article.id)).size).toBe(ITEMS.length);
    expect(second).toHaveLength(ITEMS.length);
    expect(
      second
        .filter((article) => article.onTheme)
        .map((article) => article.url)
        .sort(),
    ).toEqual([THEMED_ITEMS.both, THEMED_ITEMS.second].map((item) => `https://${SITE}${item.path}`).sort());
    const secondEvents = await eventMembers(table.store, RIVERS_THEME.id);
    expect([...secondEvents.values()].flatMap((event) => event.articles).sort()).toEqual(
      second
        .filter((article) => article.onTheme)
        .map((article) => article.id)
        .sort(),
    );
    // The first theme's events are as the killed run left them; the article items are still one each.
    expect(await eventMembers(table.store, FIRST_THEME.id)).toEqual(firstEvents);
    expect((await table.store.articles.listNewest({ limit: 100 })).items).toHaveLength(ITEMS.length);
    expect((await table.store.sources.list())[0]?.etag).toBe('"themes-v1"');

    // Once done, polls judge nothing again.
    deps.clock.advance(24 * 3_600_000);
    expect(await ingestDueSources(deps)).toMatchObject({ succeeded: 1, stored: 0 });
    expect(await judgedBy(table.store, RIVERS_THEME.id)).toHaveLength(ITEMS.length);
    expect(await eventMembers(table.store, RIVERS_THEME.id)).toEqual(secondEvents);
  }, 60_000);
});

describe("maintenance of a second theme", () => {
  it("a merge of the second theme's events moves its memberships, and leaves the first theme's judgements", async () => {
    const table = await freshTable();
    const path = "/maintain/feed.rss";
    feeds().route(
      path,
      serveWithEtag(rssFeed(SITE, [THEMED_ITEMS.both, THEMED_ITEMS.second]), "application/rss+xml", '"maintain-v1"'),
    );
    const deps = createTestDeps(table.store, { themes: TWO_THEMES }, AT);
    const added = await addSource(deps, { url: `${feeds().url}${path}` });
    if (!added.ok) throw new Error(added.error);
    await ingestDueSources(deps);

    const secondEvents = [...(await eventMembers(table.store, RIVERS_THEME.id)).entries()];
    expect(secondEvents).toHaveLength(2);
    type Entry = [string, { version: number; articles: string[] }];
    const [[into, kept], [from, away]] = secondEvents as [Entry, Entry];
    const firstBefore = await eventMembers(table.store, FIRST_THEME.id);
    const moved = away.articles[0] as string;
    const ownBefore = (await table.store.articles.get(moved))?.eventId;

    const summary = await maintainEvents({ ...deps, planner: mergeWhenRecent(into, from) }, RIVERS_THEME.id);
    expect(summary).toMatchObject({ themeId: RIVERS_THEME.id, moved: 1 });
    expect(summary.decisions).toHaveLength(1);
    expect(await articleIdsOf(table.store, from)).toEqual([]);
    expect(await articleIdsOf(table.store, into)).toEqual([...kept.articles, moved].sort());
    // The moved judgement is the second theme's membership; the article item keeps the first theme's event.
    const judged = await table.store.articles.getJudged(moved);
    expect(judged?.judgements.map((entry) => [entry.theme, entry.eventId])).toEqual([
      [FIRST_THEME.id, ownBefore],
      [RIVERS_THEME.id, into],
    ]);
    expect(await eventMembers(table.store, FIRST_THEME.id)).toEqual(firstBefore);
    // The first theme's pass has nothing of the second's to do.
    expect(await maintainEvents(deps, FIRST_THEME.id)).toMatchObject({ themeId: FIRST_THEME.id, moved: 0, decisions: [] });
  });

  it("a table written by the one-theme version: the first theme's pass moves its article items, with two themes followed", async () => {
    const table = await freshTable();
    const now = new Date(AT);
    // Written the one-theme way: article items through the match commit, no membership, no `judged`.
    const [first, second] = twinStoriesBefore(now);
    const away = (await storeStory(table.store, first as Story, now)).event;
    const kept = (await storeStory(table.store, second as Story, now)).event;
    const movedIds = await articleIdsOf(table.store, away.id);
    const deps = createTestDeps(table.store, { themes: TWO_THEMES }, AT);

    const summary = await maintainEvents({ ...deps, planner: mergeWhenRecent(kept.id, away.id) }, FIRST_THEME.id);
    expect(summary).toMatchObject({ themeId: FIRST_THEME.id, moved: movedIds.length, decisions: [{ kind: "merge" }] });
    expect(await articleIdsOf(table.store, away.id)).toEqual([]);
    for (const id of movedIds) expect((await table.store.articles.get(id))?.eventId).toBe(kept.id);
    expect((await table.store.articles.getJudged(movedIds[0] as string))?.judgements).toHaveLength(1);
  });
});
