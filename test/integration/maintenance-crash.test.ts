import { dispatchDeliveries, maintainEvents, matchArticles } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { testArticle } from "../support/articles";
import { TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { type Story, storeStories, storeStory } from "../support/events";
import { runUntilKilled } from "../support/killed-child";
import { articleIdsOf, fixedPlanner, mergeWhenRecent, TWIN_STORIES } from "../support/maintenance";
import type { TestStore } from "../support/store";
import { localDeps, useWebhookTables } from "../support/webhook-tables";

// Maintenance passes that die part-way (a child process killed with SIGKILL), that race each
// other, and what another process's matcher cache makes of a merge it did not make.
const { setup } = useWebhookTables();

/** Runs test/support/maintain-then-die.ts over `table`: a pass merging `from` into `into` that SIGKILLs itself at `die`. */
async function passThatDies(table: TestStore, deps: TestDeps, merge: { into: string; from: string }, die: "decision" | "moves") {
  const { signal, stderr } = await runUntilKilled("./maintain-then-die.ts", {
    DYNAMODB_ENDPOINT: table.endpoint,
    TABLE: table.tableName,
    AT: deps.now().toISOString(),
    INTO: merge.into,
    FROM: merge.from,
    DIE: die,
  });
  expect(signal, stderr).toBe("SIGKILL");
}

async function subscribeToMerges(deps: TestDeps, receiver: { url: string; secrets: string[] }) {
  const { createApp } = await import("@eventwire/api");
  const response = await createApp(deps).request("/api/v1/subscriptions", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ url: receiver.url, types: ["event.merged"] }),
  });
  expect(response.status).toBe(201);
  receiver.secrets.push(((await response.json()) as { secret: string }).secret);
}

describe("a pass that dies", () => {
  it("after storing its decision and before moving any article: the next pass moves them, and one message is sent", async () => {
    const { table, deps, receiver } = await setup();
    await subscribeToMerges(deps, receiver);
    const { events, articles } = await storeStories(table.store, TWIN_STORIES);
    const [away, kept] = events as [(typeof events)[number], (typeof events)[number]];
    await passThatDies(table, deps, { into: kept.id, from: away.id }, "decision");

    // The decision is whole (the successor, the marker, the change, the list of moves); no article moved yet.
    expect(await table.store.events.lookup(away.id)).toMatchObject({ state: "merged", mergedInto: kept.id });
    expect(await articleIdsOf(table.store, away.id)).toHaveLength(2);
    expect(await table.store.events.pendingMoves("isis-syria")).toMatchObject([{ from: away.id, to: kept.id }]);

    // A new process, nothing in memory, planning the same merge: it finishes the moves and decides nothing again.
    const restarted = localDeps(table);
    restarted.clock.set(deps.now());
    restarted.planner = mergeWhenRecent(kept.id, away.id);
    const summary = await maintainEvents(restarted);
    expect(summary).toMatchObject({ resumed: 1, moved: 2, decisions: [], examined: 1 });
    expect(await articleIdsOf(table.store, kept.id)).toEqual(articles.map((article) => article.id).sort());
    expect(await articleIdsOf(table.store, away.id)).toEqual([]);
    expect(await table.store.events.pendingMoves("isis-syria")).toEqual([]);
    const stored = await table.store.articles.getSummaries(articles.map((article) => article.id));
    expect(new Set(stored.map((article) => article.eventId))).toEqual(new Set([kept.id]));

    await dispatchDeliveries(restarted);
    await dispatchDeliveries(restarted);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((message) => message.payload.type)).toEqual(["event.merged"]);
  });

  it("half-way through its moves: the next pass moves the rest, and the ones already moved stay", async () => {
    const { table, deps } = await setup();
    const { events, articles } = await storeStories(table.store, TWIN_STORIES);
    const [away, kept] = events as [(typeof events)[number], (typeof events)[number]];
    await passThatDies(table, deps, { into: kept.id, from: away.id }, "moves");
    expect(await articleIdsOf(table.store, away.id)).toHaveLength(1);

    const restarted = localDeps(table);
    restarted.clock.set(deps.now());
    const summary = await maintainEvents(restarted);
    expect(summary).toMatchObject({ resumed: 1, moved: 1 });
    expect(await articleIdsOf(table.store, kept.id)).toEqual(articles.map((article) => article.id).sort());
    expect(await table.store.changes.sequence("isis-syria")).toBe(6);
  });
});

describe("passes and matchers in several processes", () => {
  it("two passes at once store the decision once: the later one's writes fail, and on fresh state it has nothing to do", async () => {
    const { table, deps, receiver } = await setup();
    await subscribeToMerges(deps, receiver);
    const { events } = await storeStories(table.store, TWIN_STORIES);
    const [away, kept] = events as [(typeof events)[number], (typeof events)[number]];
    const other = localDeps(table);
    other.clock.set(deps.now());
    // Both passes have planned the merge before either writes it.
    let arrived = 0;
    let release = () => {};
    const bothPlanned = new Promise<void>((resolve) => {
      release = resolve;
    });
    const passes = [deps, other].map((pass) => {
      const events = pass.store.events;
      const commitDecision: typeof events.commitDecision = async (input) => {
        arrived += 1;
        if (arrived === 2) release();
        await bothPlanned;
        return events.commitDecision(input);
      };
      return {
        ...pass,
        planner: mergeWhenRecent(kept.id, away.id),
        store: { ...pass.store, events: { ...events, commitDecision } },
      };
    });
    const [first, second] = await Promise.all(passes.map((pass) => maintainEvents(pass)));
    expect([...(first?.decisions ?? []), ...(second?.decisions ?? [])]).toHaveLength(1);
    expect((first?.replanned ?? 0) + (second?.replanned ?? 0)).toBe(1);
    expect(await table.store.changes.sequence("isis-syria")).toBe(6);
    expect(await articleIdsOf(table.store, kept.id)).toHaveLength(5);
    await dispatchDeliveries(deps);
    expect(receiver.received.map((message) => message.payload.type)).toEqual(["event.merged"]);
  });

  it("another process's matcher drops the merged-away event when it catches up, and holds the successor as stored", async () => {
    const { table, deps } = await setup();
    const { events } = await storeStories(table.store, TWIN_STORIES);
    const [away, kept] = events as [(typeof events)[number], (typeof events)[number]];
    // The other process has both events in its cache (its first match loads them).
    const matcher = localDeps(table);
    matcher.clock.set(deps.now());
    const report = (n: number) =>
      testArticle({ title: `Weather report ${n}`, link: `https://weather.example/${n}`, date: "2026-05-04T09:00:00Z" });
    await matchArticles(matcher, [report(1)]);
    const cache = matcher.matchers.get("isis-syria");
    expect([...(cache?.matcher.index.events.keys() ?? [])].sort()).toEqual([away.id, kept.id].sort());

    deps.planner = mergeWhenRecent(kept.id, away.id);
    await maintainEvents(deps);
    await matchArticles(matcher, [report(2)]);
    expect([...(cache?.matcher.index.events.keys() ?? [])]).toEqual([kept.id]);
    expect(cache?.matcher.index.events.get(kept.id)).toMatchObject({ articleCount: 5, seq: 6 });
    expect(cache?.seq).toBe(6);
  });

  it("a cold start loads the event a split opened, named only as its change's other event", async () => {
    const { table, deps } = await setup();
    const { event, articles } = await storeStory(table.store, TWIN_STORIES[1] as Story);
    const opened = "d".repeat(32);
    const leaving = articles.slice(1).map((article) => article.id);
    deps.planner = fixedPlanner((byId) =>
      byId.get(event.id)?.articles.length === 3
        ? [{ kind: "split", from: event.id, into: opened, articleIds: leaving, explanation: { summary: "two", signals: {} } }]
        : [],
    ).planner;
    await maintainEvents(deps);
    const cold = localDeps(table);
    cold.clock.set(deps.now());
    await matchArticles(cold, [
      testArticle({ title: "Weather", link: "https://weather.example/0", date: "2026-05-04T09:00:00Z" }),
    ]);
    const index = cold.matchers.get("isis-syria")?.matcher.index.events;
    expect([...(index?.keys() ?? [])].sort()).toEqual([event.id, opened].sort());
    expect(index?.get(opened)).toMatchObject({ articleCount: 2 });
  });
});
