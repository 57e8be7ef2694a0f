import { createApp } from "@eventwire/api";
import { dispatchDeliveries, maintainEvents } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { withResponseCache } from "../../functions/deps";
import { TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { storeStories, storeStory } from "../support/events";
import { articleIdsOf, fixedPlanner, mergeWhenRecent, TWIN_STORIES } from "../support/maintenance";
import type { WebhookReceiver } from "../support/webhook-receiver";
import { useWebhookTables } from "../support/webhook-tables";

// A maintenance pass stored for real: the planner is one written here (it returns fixed
// decisions); what is tested is what the store, the API and the webhooks make of them.
const { setup } = useWebhookTables();

async function request(deps: TestDeps, path: string, init: RequestInit = {}) {
  const response = await createApp(deps).request(path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text.startsWith("{") ? JSON.parse(text) : null };
}

async function subscribe(deps: TestDeps, receiver: WebhookReceiver, body: Record<string, unknown>): Promise<string> {
  const created = await request(deps, "/api/v1/subscriptions", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ url: receiver.url, ...body }),
  });
  expect(created.status, created.text).toBe(201);
  receiver.secrets.push(created.json.secret);
  return created.json.id;
}

describe("a merge", () => {
  it("folds one event into the other: articles moved, the old id answers with a 301, subscribers told once", async () => {
    const { table, deps, receiver } = await setup();
    await subscribe(deps, receiver, { types: ["event.merged"] });
    await subscribe(deps, receiver, { types: ["event.created"] });
    const everything = await subscribe(deps, receiver, { types: ["*"] });
    const { events, articles } = await storeStories(table.store, TWIN_STORIES);
    const [away, kept] = events as [(typeof events)[number], (typeof events)[number]];
    await dispatchDeliveries(deps);
    receiver.received.length = 0;

    const planned = fixedPlanner((byId) =>
      byId.has(kept.id) && byId.has(away.id)
        ? [{ kind: "merge", into: kept.id, from: away.id, explanation: { summary: "one bombing", signals: { title: 0.9 } } }]
        : [],
    );
    deps.planner = planned.planner;
    const summary = await maintainEvents(deps);
    expect(summary).toMatchObject({ examined: 2, incomplete: 0, skipped: 0, moved: 2, resumed: 0 });
    expect(summary.decisions).toEqual([
      { kind: "merge", eventId: kept.id, otherEventId: away.id, articles: 2, summary: "one bombing", seq: 6 },
    ]);
    // The planner read every article with its text.
    expect(planned.seen[0]?.map((entry) => entry.articles.length).sort()).toEqual([2, 3]);
    expect(planned.seen[0]?.[0]?.articles[0]?.input.text).not.toBe("");

    // The successor holds all five articles; the merged-away event keeps its item, out of the listings.
    expect(await articleIdsOf(table.store, kept.id)).toEqual(articles.map((article) => article.id).sort());
    expect(await articleIdsOf(table.store, away.id)).toEqual([]);
    const successor = await table.store.events.lookup(kept.id);
    expect(successor).toMatchObject({ state: "live", event: { articleCount: 5, version: kept.version + 1, seq: 6 } });
    expect(successor?.event.outlets).toHaveLength(5);
    expect(successor?.corrections).toEqual([
      { kind: "merged", other: away.id, at: deps.now().toISOString(), summary: "one bombing", signals: { title: 0.9 } },
    ]);
    expect(await table.store.events.lookup(away.id)).toMatchObject({ state: "merged", mergedInto: kept.id });
    expect(await table.store.events.pendingMoves("isis-syria")).toEqual([]);

    const listing = await request(deps, "/api/v1/events");
    expect(listing.json.items.map((event: { id: string }) => event.id)).toEqual([kept.id]);
    const search = await request(deps, "/api/v1/events?q=raqqa");
    expect(search.json.items.map((event: { id: string }) => event.id)).toEqual([kept.id]);
    const feed = await request(deps, "/feeds/isis-syria/events.json");
    expect(JSON.parse(feed.text).items.map((item: { id: string }) => item.id)).toEqual([`urn:eventwire:event:${kept.id}`]);

    // Ids stay stable: the old one answers with its successor.
    const api = await request(deps, `/api/v1/events/${away.id}`);
    expect(api.status).toBe(301);
    expect(api.headers.get("location")).toBe(`http://localhost/api/v1/events/${kept.id}`);
    expect(api.json).toMatchObject({ id: away.id, title: away.title, mergedInto: kept.id });
    const page = await request(deps, `/events/${away.id}`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(301);
    expect(page.headers.get("location")).toBe(`http://localhost/events/${kept.id}`);
    expect(page.text).toContain(`href="http://localhost/events/${kept.id}"`);
    const eventFeed = await request(deps, `/feeds/events/${away.id}.atom`);
    expect(eventFeed.status).toBe(301);
    expect(eventFeed.headers.get("location")).toBe(`http://localhost/feeds/events/${kept.id}.atom`);
    const followed = await request(deps, `/api/v1/events/${kept.id}`);
    expect(followed.json).toMatchObject({ id: kept.id, articleCount: 5, mergedInto: null });
    expect(followed.json.corrections).toMatchObject([{ kind: "merged", other: away.id, summary: "one bombing" }]);
    expect(followed.json.articles).toHaveLength(5);
    const keptPage = await request(deps, `/events/${kept.id}`, { headers: { accept: "text/html" } });
    expect(keptPage.text).toContain("Corrections");
    expect(keptPage.text).toContain(away.title);

    // event.merged to those who asked for it, and to "*"; not to event.created alone.
    await dispatchDeliveries(deps);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((message) => message.payload.type).sort()).toEqual(["event.merged", "event.merged"]);
    const message = receiver.received[0]?.payload.data as Record<string, unknown>;
    expect(message).toMatchObject({
      event: { id: kept.id, articleCount: 5, sourceCount: 5, previous: { articleCount: 3, sourceCount: 3 } },
      mergedEventId: away.id,
      mergedEvent: { id: away.id, title: away.title, articleCount: 2 },
      explanation: "one bombing",
    });
    const catchUp = await request(deps, `/api/v1/subscriptions/${everything}/messages`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(catchUp.json.items.map((item: { type: string }) => item.type)).toContain("event.merged");

    // Nothing left to do: a second pass writes nothing and sends nothing.
    const sequence = await table.store.changes.sequence("isis-syria");
    const again = await maintainEvents(deps);
    expect(again).toMatchObject({ examined: 1, decisions: [], moved: 0 });
    expect(await table.store.changes.sequence("isis-syria")).toBe(sequence);
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(2);
  });

  it("follows a chain of merges to the last event, and a later merge moves the first one's articles too", async () => {
    const { table, deps } = await setup();
    const { events } = await storeStories(table.store, TWIN_STORIES);
    const third = await storeStory(table.store, {
      title: "Raqqa market attack aftermath",
      articles: [{ source: "outlet-f", published: "2026-05-04T07:00:00Z", title: "Raqqa counts its dead" }],
    });
    const [first, second] = events as [(typeof events)[number], (typeof events)[number]];
    deps.planner = mergeWhenRecent(second.id, first.id);
    await maintainEvents(deps);
    deps.planner = mergeWhenRecent(third.event.id, second.id);
    const summary = await maintainEvents(deps);
    expect(summary.decisions).toMatchObject([{ kind: "merge", eventId: third.event.id, articles: 5 }]);
    expect(await articleIdsOf(table.store, third.event.id)).toHaveLength(6);
    for (const id of [first.id, second.id]) {
      const answer = await request(deps, `/api/v1/events/${id}`);
      expect(answer.status).toBe(301);
      expect(answer.json.mergedInto).toBe(third.event.id);
    }
  });

  it("answers the 301 at once where the API keeps rendered answers: the merge drops those it makes stale", async () => {
    const { table, deps } = await setup();
    const { events } = await storeStories(table.store, TWIN_STORIES);
    const [away, kept] = events as [(typeof events)[number], (typeof events)[number]];
    const cached = { ...withResponseCache(deps, 5), ingest: deps.ingest };
    const app = createApp(cached);
    expect((await app.request(`/api/v1/events/${away.id}`)).status).toBe(200);
    expect((await app.request(`/feeds/events/${away.id}.json`)).status).toBe(200);
    // The pass writes through the same store as the API process (the local stack).
    await maintainEvents({ ...cached, planner: mergeWhenRecent(kept.id, away.id) });
    const moved = await app.request(`/api/v1/events/${away.id}`);
    expect(moved.status).toBe(301);
    expect(moved.headers.get("cache-control")).toBe("public, max-age=60");
    expect((await app.request(`/feeds/events/${away.id}.json`)).status).toBe(301);
    // Kept and served again from memory, still a 301.
    expect((await app.request(`/api/v1/events/${away.id}`)).headers.get("location")).toBe(
      `http://localhost/api/v1/events/${kept.id}`,
    );
  });
});

describe("a split", () => {
  it("moves the named articles into a new event, the central article staying, and sends event.split", async () => {
    const { table, deps, receiver } = await setup();
    await subscribe(deps, receiver, { types: ["event.split", "event.merged"] });
    const { event, articles } = await storeStory(table.store, TWIN_STORIES[1] as (typeof TWIN_STORIES)[number]);
    const leaving = articles.slice(1).map((article) => article.id);
    const newId = "b".repeat(32);
    deps.planner = fixedPlanner((byId) =>
      byId.get(event.id)?.articles.length === 3
        ? [
            {
              kind: "split",
              from: event.id,
              into: newId,
              articleIds: leaving,
              explanation: { summary: "two blasts", signals: {} },
            },
          ]
        : [],
    ).planner;
    const summary = await maintainEvents(deps);
    expect(summary.decisions).toEqual([
      { kind: "split", eventId: event.id, otherEventId: newId, articles: 2, summary: "two blasts", seq: 4 },
    ]);
    expect(await articleIdsOf(table.store, event.id)).toEqual([articles[0]?.id]);
    expect(await articleIdsOf(table.store, newId)).toEqual([...leaving].sort());
    expect(await table.store.events.lookup(event.id)).toMatchObject({
      state: "live",
      event: { articleCount: 1, centralArticleId: articles[0]?.id },
      corrections: [{ kind: "split", other: newId }],
    });
    expect(await table.store.events.lookup(newId)).toMatchObject({
      state: "live",
      event: { articleCount: 2 },
      corrections: [{ kind: "split-from", other: event.id }],
    });
    const listing = await request(deps, "/api/v1/events");
    expect(listing.json.items.map((item: { id: string }) => item.id).sort()).toEqual([event.id, newId].sort());

    await dispatchDeliveries(deps);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((message) => message.payload.type)).toEqual(["event.split"]);
    expect(receiver.received[0]?.payload.data).toMatchObject({
      event: { id: event.id, articleCount: 1, previous: { articleCount: 3 } },
      newEvent: { id: newId, articleCount: 2, url: `https://eventwire.test/events/${newId}` },
      movedArticleIds: leaving,
      movedArticleCount: 2,
      explanation: "two blasts",
    });
  });

  it("skips a decision that would take the central article away, and writes nothing", async () => {
    const { table, deps } = await setup();
    const { event, articles } = await storeStory(table.store, TWIN_STORIES[1] as (typeof TWIN_STORIES)[number]);
    deps.planner = fixedPlanner(() => [
      {
        kind: "split",
        from: event.id,
        into: "c".repeat(32),
        articleIds: [articles[0]?.id ?? ""],
        explanation: { summary: "", signals: {} },
      },
    ]).planner;
    const summary = await maintainEvents(deps);
    expect(summary).toMatchObject({ decisions: [], skipped: 1 });
    expect(await table.store.changes.sequence("isis-syria")).toBe(3);
  });
});
