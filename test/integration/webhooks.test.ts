import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type Article, hashId, type WebhookMessage } from "@eventwire/core";
import { type ClaimAhead, dispatchDeliveries, fanOutChanges, matchArticle, type PipelineDeps } from "@eventwire/pipeline";
import { keys } from "@eventwire/store";
import { describe, expect, it, vi } from "vitest";
import { testArticle } from "../support/articles";
import { createTestDeps, TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { storeStory } from "../support/events";
import { runUntilKilled } from "../support/killed-child";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { localDeps, useWebhookTables } from "../support/webhook-tables";

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup, freshTable, receivers } = useWebhookTables();

async function api(deps: TestDeps, method: string, path: string, body?: unknown) {
  const { createApp } = await import("@eventwire/api");
  const response = await createApp(deps).request(path, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the tests read answers of many shapes and assert on them
  return { status: response.status, json: text === "" ? null : (JSON.parse(text) as Record<string, any>) };
}

async function subscribe(deps: TestDeps, receiver: WebhookReceiver, body: Record<string, unknown>) {
  const created = await api(deps, "POST", "/api/v1/subscriptions", { url: receiver.url, ...body });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  receiver.secrets.push(created.json?.secret as string);
  return created.json as { id: string; secret: string };
}

const twoSourceStory = {
  title: "Tabqa dam taken from Islamic State",
  articles: [
    { source: "outlet-a", published: "2026-05-04T08:00:00Z", title: "SDF take Tabqa dam" },
    { source: "outlet-b", published: "2026-05-04T09:00:00Z", title: "Tabqa dam falls to the SDF" },
  ],
};

describe("delivery", () => {
  it("delivers each message exactly once, signed, to an endpoint that answers 200", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, {
      types: ["event.created", "event.updated", "event.corroborated", "article.added"],
    });
    const { event, articles } = await storeStory(deps.store, twoSourceStory);

    const first = await dispatchDeliveries(deps);
    expect(first).toMatchObject({ made: 5, delivered: 5, failed: 0 });
    await dispatchDeliveries(deps);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((m) => m.payload.type).sort()).toEqual(
      ["article.added", "article.added", "event.corroborated", "event.created", "event.updated"].sort(),
    );
    expect(new Set(receiver.received.map((m) => m.id)).size).toBe(5);

    const created = receiver.received.find((m) => m.payload.type === "event.created");
    expect(created?.payload.data.event).toMatchObject({
      id: event.id,
      title: twoSourceStory.title,
      articleCount: 1,
      sourceCount: 1,
      apiUrl: `https://eventwire.test/api/v1/events/${event.id}`,
      feedUrl: `https://eventwire.test/feeds/events/${event.id}.json`,
    });
    const added = receiver.received.filter((m) => m.payload.type === "article.added");
    expect(added.map((m) => (m.payload.data.article as { id: string }).id).sort()).toEqual(articles.map((a) => a.id).sort());
    expect(receiver.received.find((m) => m.payload.type === "event.corroborated")?.payload.data.event).toMatchObject({
      sourceCount: 2,
      previous: { sourceCount: 1, articleCount: 1 },
    });

    const log = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}/deliveries`);
    expect(log.json?.items).toHaveLength(5);
    expect(
      log.json?.items.every((a: { statusCode: number; outcome: string }) => a.statusCode === 200 && a.outcome === "delivered"),
    ).toBe(true);
  });

  it("stores a message its own fan-out makes already claimed, and sends it once without reading or claiming it again", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created", "article.added"] });
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    let claims = 0;
    let dueReads = 0;
    const webhooks = deps.store.webhooks;
    const counting: TestDeps = {
      ...deps,
      store: {
        ...deps.store,
        webhooks: {
          ...webhooks,
          claimMessages: (batch) => {
            claims += batch.length;
            return webhooks.claimMessages(batch);
          },
          dueMessages: async (now, limit, after) => {
            const page = await webhooks.dueMessages(now, limit, after);
            dueReads += page.items.length;
            return page;
          },
        },
      },
    };
    expect(await dispatchDeliveries(counting)).toMatchObject({ made: 2, delivered: 2, claimedAhead: 2, skipped: 0 });
    expect(claims).toBe(0);
    expect(dueReads).toBe(0);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((m) => m.payload.type).sort()).toEqual(["article.added", "event.created"]);
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(2);
    const messages = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}/messages`);
    expect(messages.json?.items.map((m: { state: string; attempts: number }) => [m.state, m.attempts])).toEqual([
      ["delivered", 1],
      ["delivered", 1],
    ]);
    // Out of the due index once delivered: nothing is left for any dispatcher, now or after the lease.
    deps.clock.advance(deps.config.webhooks.timeoutMs + 31_000);
    expect((await deps.store.webhooks.dueMessages(deps.now(), 10)).items).toEqual([]);
  });

  it("claims ahead no more than an endpoint's pipeline holds: the rest are stored pending and sent from the due index", async () => {
    const { deps, receiver } = await setup({ delayMs: 5 });
    await subscribe(deps, receiver, { types: ["event.created"] });
    await storeStories(deps, 30);
    const summary = await dispatchDeliveries(deps);
    expect(summary).toMatchObject({ made: 30, delivered: 30 });
    // Four attempts in flight and three more rounds ahead: at most 16 claimed at once.
    expect(summary.claimedAhead).toBeGreaterThan(0);
    expect(summary.claimedAhead).toBeLessThanOrEqual(4 * deps.config.webhooks.concurrencyPerEndpoint);
    expect(receiver.received).toHaveLength(30);
    expect(new Set(receiver.received.map((m) => m.id)).size).toBe(30);
    expect(receiver.maxInFlight).toBeLessThanOrEqual(deps.config.webhooks.concurrencyPerEndpoint);
  });

  it("ends a run only once every delivery it started has ended, even one that stops reading early", async () => {
    const { deps, receiver } = await setup({ delayMs: 5 });
    await subscribe(deps, receiver, { types: ["event.created"] });
    await storeStories(deps, 30);
    // No due page read at all: only what the fan-out hands over is sent in this run.
    const summary = await dispatchDeliveries(deps, { maxRounds: 0 });
    const atReturn = receiver.received.length;
    expect(summary.made).toBe(30);
    expect(summary.attempted).toBe(atReturn);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.received).toHaveLength(atReturn);
    // What it did not send was stored pending: the next run sends it, each message once.
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(30);
    expect(new Set(receiver.received.map((m) => m.id)).size).toBe(30);
  });

  it("retries a failing endpoint on the schedule with the same webhook-id, and logs four attempts", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    receiver.script.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 200 });

    const start = deps.now().getTime();
    await dispatchDeliveries(deps);
    // Not due yet: nothing is sent before the next attempt's time.
    deps.clock.advance(4_000);
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(1);
    for (const wait of [1_000, 5 * 60_000, 30 * 60_000]) {
      deps.clock.advance(wait);
      await dispatchDeliveries(deps);
    }
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((m) => m.id)).size).toBe(1);

    const log = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}/deliveries`);
    const attempts = [
      ...((log.json?.items ?? []) as { attempt: number; at: string; statusCode: number; nextAttemptAt: string | null }[]),
    ].reverse();
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    // The test's randomness is 0.5: the jitter is then zero and the schedule exact.
    const offsets = attempts.map((a) => Date.parse(a.at) - start);
    expect(offsets).toEqual([0, 5_000, 5_000 + 5 * 60_000, 5_000 + 5 * 60_000 + 30 * 60_000]);
    expect(attempts.map((a) => a.nextAttemptAt)).toEqual([
      new Date(start + 5_000).toISOString(),
      new Date(start + 5_000 + 5 * 60_000).toISOString(),
      new Date(start + 5_000 + 35 * 60_000).toISOString(),
      null,
    ]);
    const got = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}`);
    expect(got.json).toMatchObject({ state: "active", failingSince: null });
  });

  it("waits as Retry-After says on a 429", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    receiver.script.push({ status: 429, headers: { "retry-after": "120" } });
    await dispatchDeliveries(deps);
    const log = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}/deliveries`);
    expect(log.json?.items[0]).toMatchObject({
      statusCode: 429,
      nextAttemptAt: new Date(deps.now().getTime() + 120_000).toISOString(),
    });
  });

  it("disables a subscription whose endpoint answers 410, says so in the API, and tells the subscribers of subscription.disabled", async () => {
    const { deps, receiver } = await setup();
    const gone = await subscribe(deps, receiver, { types: ["event.created"] });
    const watcher = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(watcher);
    const watching = await subscribe(deps, watcher, { types: ["subscription.disabled"] });
    receiver.script.push({ status: 410 });
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    await dispatchDeliveries(deps);
    await dispatchDeliveries(deps);

    const got = await api(deps, "GET", `/api/v1/subscriptions/${gone.id}`);
    expect(got.json).toMatchObject({ state: "disabled", disabledReason: "the endpoint answered 410 Gone" });
    expect(watcher.received.map((m) => m.payload)).toEqual([
      expect.objectContaining({
        type: "subscription.disabled",
        data: { subscription: expect.objectContaining({ id: gone.id }) },
      }),
    ]);
    expect((await api(deps, "GET", `/api/v1/subscriptions/${watching.id}`)).json?.state).toBe("active");

    // Later messages are kept for catch-up but not sent while disabled.
    await storeStory(deps.store, { ...twoSourceStory, title: "A second story", articles: twoSourceStory.articles.slice(1) });
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(1);
    const messages = await api(deps, "GET", `/api/v1/subscriptions/${gone.id}/messages`);
    expect(messages.json?.items.map((m: { state: string }) => m.state)).toEqual(["failed", "held"]);
  });

  it("disables an endpoint that has failed for five days straight", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created", "event.updated"] });
    receiver.script.push(...Array.from({ length: 2000 }, () => ({ status: 503 })));
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    await dispatchDeliveries(deps);
    for (
      let hour = 0;
      hour < 5 * 24 && (await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}`)).json?.state === "active";
      hour += 10
    ) {
      deps.clock.advance(10 * 3_600_000);
      // A new change every ten hours keeps fresh messages failing.
      await storeStory(
        deps.store,
        {
          title: `Story at hour ${hour}`,
          articles: [{ source: "outlet-a", published: deps.now().toISOString(), title: `Report at hour ${hour}` }],
        },
        deps.now(),
      );
      await dispatchDeliveries(deps);
    }
    const got = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}`);
    expect(got.json?.state).toBe("disabled");
    expect(got.json?.disabledReason).toMatch(/5 days/);
    expect(Date.parse(got.json?.disabledAt) - Date.parse(got.json?.failingSince)).toBeGreaterThanOrEqual(5 * 86_400_000);
  });

  it("announces every disable: disabled, resumed and disabled again tells the watcher twice", async () => {
    const { deps, receiver } = await setup();
    const gone = await subscribe(deps, receiver, { types: ["event.created", "event.updated"] });
    const watcher = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(watcher);
    await subscribe(deps, watcher, { types: ["subscription.disabled"] });
    receiver.script.push({ status: 410 }, { status: 410 });
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    await dispatchDeliveries(deps);
    await dispatchDeliveries(deps);
    expect((await api(deps, "GET", `/api/v1/subscriptions/${gone.id}`)).json?.state).toBe("disabled");
    deps.clock.advance(60_000);
    expect((await api(deps, "POST", `/api/v1/subscriptions/${gone.id}/resume`)).json?.state).toBe("active");
    await storeStory(deps.store, { ...twoSourceStory, title: "A second story", articles: twoSourceStory.articles.slice(1) });
    await dispatchDeliveries(deps);
    await dispatchDeliveries(deps);
    expect((await api(deps, "GET", `/api/v1/subscriptions/${gone.id}`)).json?.state).toBe("disabled");
    expect(watcher.received.map((m) => m.payload.type)).toEqual(["subscription.disabled", "subscription.disabled"]);
    expect(new Set(watcher.received.map((m) => m.id)).size).toBe(2);
  });

  it("does not pass over a change whose article cannot be read: the fan-out stops there and sends it once it can", async () => {
    const { table, deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["article.added"] });
    const { articles } = await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    const articleKey = keys.article(articles[0]?.id as string);
    const { doc } = table.clients;
    const stored = (await doc.send(new GetCommand({ TableName: table.tableName, Key: articleKey }))).Item;
    expect(stored).toBeDefined();
    // As a read that does not see the article yet would find it.
    await doc.send(new DeleteCommand({ TableName: table.tableName, Key: articleKey }));
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(0);
    expect(await deps.store.changes.fanOutPosition("isis-syria")).toBe(0);
    expect(
      deps.logs.some(
        (entry) => entry.message.includes("fan-out stopped") && entry.fields.missing === `article ${articles[0]?.id}`,
      ),
    ).toBe(true);
    await doc.send(new PutCommand({ TableName: table.tableName, Item: stored }));
    await dispatchDeliveries(deps);
    expect(receiver.received.map((m) => m.payload.type)).toEqual(["article.added"]);
    expect((await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}/messages`)).json?.items).toHaveLength(1);
  });

  it("never sends an attempt whose lease ran out while the endpoint's name was being looked up", async () => {
    const { table, deps, receiver } = await setup();
    const port = new URL(receiver.url).port;
    let releaseLookup: () => void = () => {};
    let lookupStalled: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      lookupStalled = resolve;
    });
    let calls = 0;
    deps.resolveHost = async () => {
      calls += 1;
      // The second lookup is the first dispatcher's check before sending: it stalls.
      if (calls === 2) {
        lookupStalled();
        await new Promise<void>((resolve) => {
          releaseLookup = resolve;
        });
      }
      return ["127.0.0.1"];
    };
    await subscribe(deps, receiver, { types: ["event.created"] });
    const created = (await api(deps, "GET", "/api/v1/subscriptions")).json?.items[0];
    await api(deps, "PATCH", `/api/v1/subscriptions/${created.id}`, { url: `http://hooks.test:${port}/hook` });
    calls = 1;
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    const first = dispatchDeliveries(deps);
    await stalled;
    // The first dispatcher's lease runs out; a second one takes the message and sends it.
    deps.clock.advance(deps.config.webhooks.timeoutMs + 31_000);
    const second = localDeps(table);
    second.clock = deps.clock;
    second.now = deps.clock.now;
    second.resolveHost = async () => ["127.0.0.1"];
    await dispatchDeliveries(second);
    // The first dispatcher's fan-out handed it the message claimed and may still be running:
    // its own due read, past its lease by the same clock, can take the message over before the
    // second dispatcher does. Either way it is sent once, and not by the stalled attempt.
    for (let wait = 0; wait < 100 && receiver.received.length === 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(receiver.received).toHaveLength(1);
    releaseLookup();
    await first;
    expect(receiver.received).toHaveLength(1);
  });
});

describe("two dispatchers and crashes", () => {
  it("two dispatchers over 1,000 due deliveries send every message once, a bounded number at a time per endpoint", async () => {
    const { table, deps, receiver } = await setup({ delayMs: 1 });
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    const now = deps.now().toISOString();
    const ids = Array.from({ length: 1000 }, (_, n) => `msg_${hashId("bulk", String(n))}`);
    const stored = await deps.store.webhooks.putMessages(ids.map((id, n) => bulkMessage(subscription.id, id, n, now)));
    expect(stored.every((outcome) => outcome === "created")).toBe(true);
    const other = localDeps(table);
    other.clock.set(deps.now());
    const [a, b] = await Promise.all([dispatchDeliveries(deps), dispatchDeliveries(other)]);
    expect(a.delivered + b.delivered).toBe(1000);
    expect(a.delivered).toBeGreaterThan(0);
    expect(b.delivered).toBeGreaterThan(0);
    expect(receiver.received).toHaveLength(1000);
    expect(new Set(receiver.received.map((m) => m.id))).toEqual(new Set(ids));
    // Each dispatcher keeps at most 4 attempts in flight to one endpoint.
    expect(receiver.maxInFlight).toBeLessThanOrEqual(2 * deps.config.webhooks.concurrencyPerEndpoint);
  }, 240_000);

  it("numbers a run of messages together, in order, and a fan-out made again stores only the new ones", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    const now = deps.now().toISOString();
    const message = (n: number) => bulkMessage(subscription.id, `msg_${hashId("run", String(n))}`, n, now);
    // 60: more than one transaction's worth.
    const first = Array.from({ length: 60 }, (_, n) => message(n));
    expect(await deps.store.webhooks.putMessages(first)).toEqual(first.map(() => "created"));
    // Made again after a crash: ten already stored, five new, one of them given twice.
    const again = [...first.slice(50), message(60), message(61), message(62), message(61), message(63), message(64)];
    expect(await deps.store.webhooks.putMessages(again)).toEqual([
      ...Array.from({ length: 10 }, () => "exists"),
      "created",
      "created",
      "created",
      "exists",
      "created",
      "created",
    ]);
    const listed = await deps.store.webhooks.listMessages(subscription.id, { after: null, limit: 100 });
    expect(listed.map((m) => m.id)).toEqual(Array.from({ length: 65 }, (_, n) => message(n).id));
    const positions = listed.map((m) => m.position);
    expect([...positions].sort()).toEqual(positions);
    expect(new Set(positions).size).toBe(65);
  });

  it("claims many due messages in one write: those another dispatcher took are lost, the rest claimed", async () => {
    const { deps, messages } = await storedMessages("claims", 5);
    const due = (await deps.store.webhooks.dueMessages(deps.now(), 10)).items;
    expect(due.map((m) => m.id).sort()).toEqual(messages.map((m) => m.id).sort());
    const leaseUntil = new Date(deps.now().getTime() + 40_000);
    // Another dispatcher claimed the second one after these were read.
    expect(await deps.store.webhooks.claimMessage(messages[1] as WebhookMessage, "other", leaseUntil)).not.toBeNull();
    const claimed = await deps.store.webhooks.claimMessages(
      messages.map((message, n) => ({
        message: due.find((m) => m.id === message.id) as WebhookMessage,
        token: `mine-${n}`,
        leaseUntil,
      })),
    );
    expect(claimed.map((message) => message?.id ?? null)).toEqual(messages.map((m, n) => (n === 1 ? null : m.id)));
    for (const [n, message] of messages.entries()) {
      const stored = await deps.store.webhooks.getMessage(message.id);
      expect(stored).toMatchObject({ state: "sending", dueAt: leaseUntil.toISOString() });
      expect(claimed[n] ?? null).toEqual(n === 1 ? null : stored);
    }
    // None of them is due before the leases run out.
    expect((await deps.store.webhooks.dueMessages(deps.now(), 10)).items).toEqual([]);
  });

  it("writes the ends of many attempts together; one whose lease was lost is logged but leaves its message alone", async () => {
    const { deps, receiver, subscription, now, messages } = await storedMessages("ends", 3);
    const leaseUntil = new Date(deps.now().getTime() + 40_000);
    await deps.store.webhooks.claimMessages(messages.map((message, n) => ({ message, token: `lease-${n}`, leaseUntil })));
    const retryAt = new Date(deps.now().getTime() + 5_000).toISOString();
    const ends = messages.map((message, n) => ({
      // The third attempt ran under a lease that another dispatcher has since taken over.
      token: n === 2 ? "expired-lease" : `lease-${n}`,
      attempt: {
        messageId: message.id,
        subscriptionId: subscription.id,
        type: message.type,
        attempt: 1,
        at: now,
        url: receiver.url,
        statusCode: n === 0 ? 200 : 500,
        latencyMs: 3,
        error: n === 0 ? null : "the endpoint answered 500",
        outcome: n === 0 ? ("delivered" as const) : ("retry" as const),
        nextAttemptAt: n === 0 ? null : retryAt,
      },
      result: {
        state: n === 0 ? ("delivered" as const) : ("pending" as const),
        attempts: 1,
        dueAt: n === 0 ? null : retryAt,
        lastStatusCode: n === 0 ? 200 : 500,
        lastError: n === 0 ? null : "the endpoint answered 500",
        deliveredAt: n === 0 ? now : null,
      },
    }));
    expect(await deps.store.webhooks.finishAttempts(ends)).toEqual([true, true, false]);
    const stored = await Promise.all(messages.map((message) => deps.store.webhooks.getMessage(message.id)));
    expect(stored.map((message) => [message?.state, message?.attempts])).toEqual([
      ["delivered", 1],
      ["pending", 1],
      ["sending", 0],
    ]);
    for (const message of messages) expect(await deps.store.webhooks.messageAttempts(message.id)).toHaveLength(1);
    // The retried one is due at its time, not before; the lost one when its lease runs out.
    deps.clock.advance(5_000);
    expect((await deps.store.webhooks.dueMessages(deps.now(), 10)).items.map((m) => m.id)).toEqual([messages[1]?.id]);
  });

  it("a 410 met by many attempts in one run disables the subscription once and parks the rest", async () => {
    const { deps, receiver } = await setup({ delayMs: 5 });
    const gone = await subscribe(deps, receiver, { types: ["event.created"] });
    const watcher = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(watcher);
    await subscribe(deps, watcher, { types: ["subscription.disabled"] });
    receiver.script.push(...Array.from({ length: 40 }, () => ({ status: 410 })));
    const now = deps.now().toISOString();
    const ids = Array.from({ length: 40 }, (_, n) => `msg_${hashId("gone", String(n))}`);
    await deps.store.webhooks.putMessages(ids.map((id, n) => bulkMessage(gone.id, id, n, now)));
    await dispatchDeliveries(deps);
    await dispatchDeliveries(deps);
    expect(watcher.received.map((m) => m.payload.type)).toEqual(["subscription.disabled"]);
    // Only the attempts already under way when the first 410 came were sent.
    expect(receiver.received.length).toBeLessThanOrEqual(2 * deps.config.webhooks.concurrencyPerEndpoint);
    const listed = await deps.store.webhooks.listMessages(gone.id, { after: null, limit: 100 });
    expect(listed.filter((m) => m.state === "held")).toHaveLength(40 - receiver.received.length);
  });

  it("delivers a change stored by a process killed before it could send", async () => {
    const { table, deps, receiver } = await setup();
    await subscribe(deps, receiver, { types: ["event.created"] });
    const { signal, stderr } = await runUntilKilled("./commit-then-die.ts", {
      DYNAMODB_ENDPOINT: table.endpoint,
      TABLE: table.tableName,
      AT: deps.now().toISOString(),
    });
    expect(signal, stderr).toBe("SIGKILL");
    expect(await deps.store.changes.sequence("isis-syria")).toBe(1);
    expect(receiver.received).toHaveLength(0);

    // A new process (fresh deps, nothing in memory) finds the change in the outbox.
    const restarted = localDeps(table);
    restarted.clock.set(deps.now());
    await dispatchDeliveries(restarted);
    await dispatchDeliveries(restarted);
    expect(receiver.received.map((m) => m.payload.type)).toEqual(["event.created"]);
  });

  it("sends again, with the same id, a message whose dispatcher died holding its lease, once the lease runs out", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    const id = `msg_${hashId("leased")}`;
    const message = bulkMessage(subscription.id, id, 0, deps.now().toISOString());
    await deps.store.webhooks.putMessage(message);
    // A dispatcher claims it and dies before sending.
    expect(
      await deps.store.webhooks.claimMessage(message, "dead-dispatcher", new Date(deps.now().getTime() + 40_000)),
    ).not.toBeNull();
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(0);
    deps.clock.advance(41_000);
    await dispatchDeliveries(deps);
    await dispatchDeliveries(deps);
    expect(receiver.received.map((m) => m.id)).toEqual([id]);
  });
  it("a dispatcher that dies after storing messages claimed ahead: once the leases run out, the next one sends each once", async () => {
    const { table, deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created", "event.updated", "article.added"] });
    await storeStory(deps.store, twoSourceStory);
    // The dying dispatcher's fan-out: every message stored under its lease, none handed on or sent.
    const until = new Date(deps.now().getTime() + deps.config.webhooks.timeoutMs + 30_000);
    const dying: ClaimAhead = (_subscription, count) => ({
      leases: Array.from({ length: count }, (_, n) => ({ token: `dead-${n}`, until })),
      take: () => undefined,
    });
    expect(await fanOutChanges(deps, "isis-syria", undefined, dying)).toBe(4);
    const stored = await deps.store.webhooks.listMessages(subscription.id, { after: null, limit: 10 });
    expect(stored.map((m) => [m.state, m.dueAt])).toEqual(stored.map(() => ["sending", until.toISOString()]));
    expect((await deps.store.webhooks.dueMessages(deps.now(), 10)).items).toEqual([]);

    const next = localDeps(table);
    next.clock = deps.clock;
    next.now = deps.clock.now;
    // While the leases hold, nothing is made again and nothing is sent.
    expect(await dispatchDeliveries(next)).toMatchObject({ made: 0, attempted: 0 });
    expect(receiver.received).toHaveLength(0);
    deps.clock.advance(deps.config.webhooks.timeoutMs + 31_000);
    expect(await dispatchDeliveries(next)).toMatchObject({ made: 0, delivered: 4, claimedAhead: 0 });
    await dispatchDeliveries(next);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((m) => m.id).sort()).toEqual(stored.map((m) => m.id).sort());
    const after = await deps.store.webhooks.listMessages(subscription.id, { after: null, limit: 10 });
    expect(after.map((m) => [m.state, m.attempts])).toEqual(stored.map(() => ["delivered", 1]));
  });

  it("two dispatchers fanning out the same changes at once make each message once and send it once", async () => {
    const { table, deps, receiver } = await setup({ delayMs: 2 });
    const second = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(second);
    const ids = [
      (await subscribe(deps, receiver, { types: ["event.created", "article.added"] })).id,
      (await subscribe(deps, second, { types: ["event.created"] })).id,
    ];
    await storeStories(deps, 40);
    const other = localDeps(table);
    other.clock = deps.clock;
    other.now = deps.clock.now;
    const [a, b] = await Promise.all([dispatchDeliveries(deps), dispatchDeliveries(other)]);
    // 40 changes: two messages each to the first endpoint, one to the second.
    expect(a.made + b.made).toBe(120);
    expect(a.delivered + b.delivered).toBe(120);
    expect(a.claimedAhead + b.claimedAhead).toBeGreaterThan(0);
    expect(receiver.rejected).toEqual([]);
    expect(second.rejected).toEqual([]);
    const listed = await Promise.all(ids.map((id) => deps.store.webhooks.listMessages(id, { after: null, limit: 100 })));
    expect(listed.map((messages) => messages.length)).toEqual([80, 40]);
    expect(receiver.received).toHaveLength(80);
    expect(second.received).toHaveLength(40);
    expect(new Set(receiver.received.map((m) => m.id))).toEqual(new Set(listed[0]?.map((m) => m.id)));
    expect(new Set(second.received.map((m) => m.id))).toEqual(new Set(listed[1]?.map((m) => m.id)));
    expect(listed.flat().every((m) => m.state === "delivered" && m.attempts === 1)).toBe(true);
    // Nothing is left due, even once every lease taken could have run out.
    deps.clock.advance(deps.config.webhooks.timeoutMs + 31_000);
    await dispatchDeliveries(deps);
    expect(receiver.received.length + second.received.length).toBe(120);
  }, 60_000);
});

/** Stores `count` one-article stories: a change each. */
async function storeStories(deps: TestDeps, count: number) {
  for (let n = 0; n < count; n += 1) {
    await storeStory(deps.store, {
      title: `Story ${n}`,
      articles: [{ source: "outlet-a", published: "2026-05-04T08:00:00Z", title: `Report ${n}` }],
    });
  }
}

/** A subscription with `count` due messages stored for it. */
async function storedMessages(name: string, count: number) {
  const { deps, receiver } = await setup();
  const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
  const now = deps.now().toISOString();
  const messages = Array.from({ length: count }, (_, n) =>
    bulkMessage(subscription.id, `msg_${hashId(name, String(n))}`, n, now),
  );
  await deps.store.webhooks.putMessages(messages);
  return { deps, receiver, subscription, now, messages };
}

function bulkMessage(subscriptionId: string, id: string, n: number, now: string): WebhookMessage {
  return {
    id,
    subscriptionId,
    type: "event.created",
    body: JSON.stringify({ type: "event.created", timestamp: now, data: { n } }),
    createdAt: now,
    position: `${now}#${String(n).padStart(12, "0")}#000#${id}`,
    state: "pending",
    attempts: 0,
    dueAt: now,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
  };
}

// Reports of one happening by different outlets, each written its own way, and a copy.
const DAM =
  "Syrian Democratic Forces captured the Tabqa dam on the Euphrates on Monday after Islamic State militants withdrew overnight from Raqqa province. Engineers inspected the spillway for damage while teams cleared mines near the control rooms.";
const DAM_B =
  "Kurdish-led SDF units took control of the Euphrates dam at Tabqa after the jihadists fled west of Raqqa overnight, and the dam's turbines appeared intact, an SDF spokesman said.";
const DAM_C =
  "The fall of Tabqa dam to the Syrian Democratic Forces leaves Islamic State with a shrinking strip of the Euphrates valley near Raqqa; aid convoys were waiting to cross the river on Monday.";

function damReport(
  id: string,
  source: string,
  body: string,
  title = `Euphrates dam captured from Islamic State, ${source} reports`,
): Article {
  return testArticle(
    { title, link: `https://${source}.example/${id}`, date: "2026-05-04T08:00:00Z", contentHtml: body },
    { sourceId: source, sourceTitle: source },
  );
}

describe("filters", () => {
  it("minSources 3: nothing for a one-source event, copies do not count, one event.corroborated at the third source", async () => {
    const { deps, receiver } = await setup();
    await subscribe(deps, receiver, { types: ["event.corroborated", "event.created"], filter: { minSources: 3 } });
    const everything = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(everything);
    await subscribe(deps, everything, { types: ["event.corroborated"] });

    const step = async (article: Article) => {
      await matchArticle(deps as PipelineDeps, article);
      await dispatchDeliveries(deps);
    };
    await step(damReport("a1", "outlet-a", DAM));
    expect(receiver.received).toHaveLength(0);
    // The same report again from another outlet is a copy: still one source.
    await step(damReport("copy", "outlet-copy", DAM, "Euphrates dam captured from Islamic State, outlet-a reports"));
    await step(damReport("b1", "outlet-b", DAM_B));
    expect(receiver.received).toHaveLength(0);
    await step(damReport("c1", "outlet-c", DAM_C));
    await step(damReport("a2", "outlet-a", `${DAM_C} Outlet A adds that the turbines are running.`));

    const events = (await deps.store.events.listByTheme("isis-syria", { limit: 10 })).items;
    expect(events).toHaveLength(1);
    expect(events[0]?.articleCount).toBe(5);
    expect(events[0]?.outlets).toHaveLength(3);
    expect(receiver.received.map((m) => m.payload.type)).toEqual(["event.corroborated"]);
    expect(receiver.received[0]?.payload.data.event).toMatchObject({ sourceCount: 3, previous: { sourceCount: 2 } });
    // Without minSources the threshold is a second source.
    expect(everything.received.map((m) => (m.payload.data.event as { sourceCount: number }).sourceCount)).toEqual([2]);
  });

  it("eventIds, entities and keywords pick the events a subscription hears about", async () => {
    const { deps, receiver } = await setup();
    const other = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(other);
    await subscribe(deps, receiver, { types: ["event.created"], filter: { keywords: ["ambulance"] } });
    await subscribe(deps, other, { types: ["event.created"], filter: { eventIds: ["0".repeat(32)] } });
    await storeStory(deps.store, {
      title: "Ambulance convoy reaches Deir ez-Zor",
      articles: [twoSourceStory.articles[0] as never],
    });
    await storeStory(deps.store, { title: "Dam repairs begin", articles: [twoSourceStory.articles[1] as never] });
    await dispatchDeliveries(deps);
    expect(receiver.received.map((m) => (m.payload.data.event as { title: string }).title)).toEqual([
      "Ambulance convoy reaches Deir ez-Zor",
    ]);
    expect(other.received).toHaveLength(0);
  });
});

describe("subscriptions API", () => {
  it("shows the secret once, rotates it with 24 hours of overlap, pauses and resumes, pings and retries", async () => {
    const { deps, receiver } = await setup();
    const created = await subscribe(deps, receiver, { types: ["event.created"], description: "ops" });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const got = await api(deps, "GET", `/api/v1/subscriptions/${created.id}`);
    expect(JSON.stringify(got.json)).not.toContain(created.secret);
    expect(JSON.stringify((await api(deps, "GET", "/api/v1/subscriptions")).json)).not.toContain("whsec_");

    // Ping: signed with the one secret.
    const ping = await api(deps, "POST", `/api/v1/subscriptions/${created.id}/test`);
    expect(ping.json).toMatchObject({ attempt: { statusCode: 200, outcome: "delivered" } });
    expect(receiver.received.at(-1)?.payload.type).toBe("ping");

    // Rotate: for 24 hours a receiver with either secret verifies.
    const rotated = await api(deps, "POST", `/api/v1/subscriptions/${created.id}/rotate-secret`);
    expect(rotated.json?.secret).toMatch(/^whsec_/);
    expect(rotated.json?.previousSecretExpiresAt).toBe(new Date(deps.now().getTime() + 86_400_000).toISOString());
    receiver.secrets.splice(0, receiver.secrets.length, created.secret);
    await api(deps, "POST", `/api/v1/subscriptions/${created.id}/test`);
    receiver.secrets.splice(0, receiver.secrets.length, rotated.json?.secret);
    await api(deps, "POST", `/api/v1/subscriptions/${created.id}/test`);
    expect(receiver.rejected).toEqual([]);
    deps.clock.advance(86_400_000 + 1000);
    receiver.secrets.splice(0, receiver.secrets.length, created.secret);
    const late = await api(deps, "POST", `/api/v1/subscriptions/${created.id}/test`);
    expect(late.json?.attempt.statusCode).toBe(400);
    expect(receiver.rejected).toHaveLength(1);
    receiver.secrets.splice(0, receiver.secrets.length, rotated.json?.secret);

    // Pause: messages are made and held; resume sends them.
    expect((await api(deps, "POST", `/api/v1/subscriptions/${created.id}/pause`)).json?.state).toBe("paused");
    const before = receiver.received.length;
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) }, deps.now());
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(before);
    const resumed = await api(deps, "POST", `/api/v1/subscriptions/${created.id}/resume`);
    expect(resumed.json).toMatchObject({ state: "active", requeued: 1 });
    await dispatchDeliveries(deps);
    expect(receiver.received.at(-1)?.payload.type).toBe("event.created");

    // Retry: the same message again, the same webhook-id.
    const messageId = receiver.received.at(-1)?.id as string;
    const retried = await api(deps, "POST", `/api/v1/deliveries/${messageId}/retry`);
    expect(retried.json).toMatchObject({ deliveryId: messageId, attempt: { attempt: 2, statusCode: 200 } });
    expect(receiver.received.at(-1)?.id).toBe(messageId);
    expect((await api(deps, "POST", `/api/v1/deliveries/msg_${"0".repeat(32)}/retry`)).status).toBe(404);

    // Update, then delete.
    const patched = await api(deps, "PATCH", `/api/v1/subscriptions/${created.id}`, { filter: { minSources: 2 } });
    expect(patched.json?.filter).toMatchObject({ minSources: 2, theme: "isis-syria" });
    expect((await api(deps, "DELETE", `/api/v1/subscriptions/${created.id}`)).status).toBe(204);
    expect((await api(deps, "GET", `/api/v1/subscriptions/${created.id}`)).status).toBe(404);
  });

  it("lets a consumer catch up on every message in order, from a cursor, even those its endpoint never took", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created", "event.updated", "article.added"] });
    receiver.script.push(...Array.from({ length: 10 }, () => ({ status: 500 })));
    await storeStory(deps.store, twoSourceStory);
    await dispatchDeliveries(deps);
    const path = `/api/v1/subscriptions/${subscription.id}/messages`;
    const first = await api(deps, "GET", `${path}?limit=2`);
    expect(first.json?.items.map((m: { payload: { type: string } }) => m.payload.type)).toEqual([
      "event.created",
      "article.added",
    ]);
    const rest = await api(deps, "GET", `${path}?after=${encodeURIComponent(first.json?.nextAfter)}`);
    expect(rest.json?.items.map((m: { payload: { type: string } }) => m.payload.type)).toEqual([
      "event.updated",
      "article.added",
    ]);
    const ids = [...(first.json?.items ?? []), ...(rest.json?.items ?? [])].map((m: { id: string }) => m.id);
    expect(new Set(ids).size).toBe(4);
    // Polling from the end sees nothing new, then exactly the new messages.
    const empty = await api(deps, "GET", `${path}?after=${encodeURIComponent(rest.json?.nextAfter)}`);
    expect(empty.json).toMatchObject({ items: [], nextAfter: rest.json?.nextAfter });
    const forged = await api(deps, "GET", `${path}?after=abc.def`);
    expect(forged.status).toBe(400);
    expect(forged.json?.error.message).toContain('"after"');
  });

  it("catch-up from a cursor sees a message written after it even when its change is older than the cursor", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    const path = `/api/v1/subscriptions/${subscription.id}/messages`;
    const types = (page: Awaited<ReturnType<typeof api>>) => page.json?.items.map((m: { type: string }) => m.type);
    // A change at 10:00 waits for the dispatcher; a ping at 10:01 is listed first.
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) }, deps.now());
    deps.clock.advance(60_000);
    await api(deps, "POST", `/api/v1/subscriptions/${subscription.id}/test`);
    const first = await api(deps, "GET", path);
    expect(types(first)).toEqual(["ping"]);
    await dispatchDeliveries(deps);
    const next = await api(deps, "GET", `${path}?after=${encodeURIComponent(first.json?.nextAfter)}`);
    expect(types(next)).toEqual(["event.created"]);
    const end = await api(deps, "GET", `${path}?after=${encodeURIComponent(next.json?.nextAfter)}`);
    expect(end.json?.items).toEqual([]);
    expect(types(await api(deps, "GET", path))).toEqual(["ping", "event.created"]);
  });

  it("delivers the messages of a subscription resumed while a dispatcher had read it as paused", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    await api(deps, "POST", `/api/v1/subscriptions/${subscription.id}/pause`);
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    // The resume lands just after the dispatcher has read the subscriptions.
    let resumed = false;
    const webhooks = deps.store.webhooks;
    const racing: TestDeps = {
      ...deps,
      store: {
        ...deps.store,
        webhooks: {
          ...webhooks,
          listSubscriptions: async () => {
            const listed = await webhooks.listSubscriptions();
            if (!resumed) {
              resumed = true;
              expect((await api(deps, "POST", `/api/v1/subscriptions/${subscription.id}/resume`)).json?.state).toBe("active");
            }
            return listed;
          },
        },
      },
    };
    await dispatchDeliveries(racing);
    await dispatchDeliveries(deps);
    expect(resumed).toBe(true);
    expect(receiver.received.map((m) => m.payload.type)).toEqual(["event.created"]);
    const messages = await api(deps, "GET", `/api/v1/subscriptions/${subscription.id}/messages`);
    expect(messages.json?.items.map((m: { state: string }) => m.state)).toEqual(["delivered"]);
  });

  it("makes due a message left held for a subscription that is active", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    const id = `msg_${hashId("left-held")}`;
    const now = deps.now().toISOString();
    await deps.store.webhooks.putMessage({ ...bulkMessage(subscription.id, id, 0, now), state: "held", dueAt: null });
    await dispatchDeliveries(deps);
    await dispatchDeliveries(deps);
    expect(receiver.received.map((m) => m.id)).toEqual([id]);
  });

  it("a subscription made during a long fan-out hears of the changes after its start", async () => {
    const { deps, receiver } = await setup();
    await subscribe(deps, receiver, { types: ["event.created"] });
    const late = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(late);
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    // Between two batches of the fan-out, a subscription is made and then a change stored.
    let reads = 0;
    const changes = deps.store.changes;
    const racing: TestDeps = {
      ...deps,
      store: {
        ...deps.store,
        changes: {
          ...changes,
          changeBatchSince: async (themeId, seq) => {
            reads += 1;
            if (reads === 2) {
              await subscribe(deps, late, { types: ["event.created"] });
              await storeStory(deps.store, {
                ...twoSourceStory,
                title: "A second story",
                articles: twoSourceStory.articles.slice(1),
              });
            }
            return changes.changeBatchSince(themeId, seq);
          },
        },
      },
    };
    await dispatchDeliveries(racing);
    await dispatchDeliveries(deps);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(late.received.map((m) => (m.payload.data.event as { title: string }).title)).toEqual(["A second story"]);
    expect(receiver.received).toHaveLength(2);
  });

  it("refuses to retry a message of a paused subscription with a 409", async () => {
    const { deps, receiver } = await setup();
    const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    await dispatchDeliveries(deps);
    const messageId = receiver.received[0]?.id as string;
    await api(deps, "POST", `/api/v1/subscriptions/${subscription.id}/pause`);
    const retried = await api(deps, "POST", `/api/v1/deliveries/${messageId}/retry`);
    expect(retried.status).toBe(409);
    expect(retried.json?.error.message).toContain("paused");
    expect(receiver.received).toHaveLength(1);
  });

  it("refuses bad input with a 400 naming the field", async () => {
    const { deps } = await setup();
    const noTypes = await api(deps, "POST", "/api/v1/subscriptions", { url: "http://127.0.0.1:1/x", types: [] });
    expect(noTypes.status).toBe(400);
    expect(noTypes.json?.error.message).toContain('field "types"');
    const badType = await api(deps, "POST", "/api/v1/subscriptions", { url: "http://127.0.0.1:1/x", types: ["event.deleted"] });
    expect(badType.json?.error.message).toContain("event.created");
    const badUrl = await api(deps, "POST", "/api/v1/subscriptions", { url: "not a url", types: ["event.created"] });
    expect(badUrl).toMatchObject({ status: 400, json: { error: { code: "invalid_body" } } });
    expect(badUrl.json?.error.message).toContain('field "url"');
    const noKey = await (await import("@eventwire/api")).createApp(deps).request("/api/v1/subscriptions");
    expect(noKey.status).toBe(401);
  });
});

describe("subscription filters", () => {
  it("takes a known theme and keywords with words searched for", async () => {
    const { deps, receiver } = await setup();
    const created = await subscribe(deps, receiver, {
      types: ["event.created"],
      filter: { theme: "isis-syria", keywords: ["Tabqa dam", "the ceasefire"] },
    });
    const shown = await api(deps, "GET", `/api/v1/subscriptions/${created.id}`);
    expect(shown.json?.filter).toMatchObject({ theme: "isis-syria", keywords: ["Tabqa dam", "the ceasefire"] });
  });

  it("refuses an unknown theme with the JSON API's words, naming the field", async () => {
    const { deps } = await setup();
    const listing = await api(deps, "GET", "/api/v1/events?theme=no-such-theme");
    const rule = String(listing.json?.error.message).replace('query parameter "theme": ', "");
    expect(rule).toMatch(/^no theme "no-such-theme" \(themes: .*isis-syria/);
    const answer = await api(deps, "POST", "/api/v1/subscriptions", {
      url: "http://127.0.0.1:1/x",
      types: ["event.created"],
      filter: { theme: "no-such-theme" },
    });
    expect(answer).toMatchObject({
      status: 400,
      json: { error: { code: "invalid_body", message: `field "filter.theme": ${rule}` } },
    });
    expect((await api(deps, "GET", "/api/v1/subscriptions")).json?.items).toEqual([]);
  });

  it.each([
    [["the", "of"], 0, "the"],
    [["Tabqa dam", "a"], 1, "a"],
    [["2026"], 0, "2026"],
  ])("refuses keywords %j: entry %i has no word searched for", async (keywords, index, keyword) => {
    const { deps } = await setup();
    const answer = await api(deps, "POST", "/api/v1/subscriptions", {
      url: "http://127.0.0.1:1/x",
      types: ["event.created"],
      filter: { keywords },
    });
    expect(answer.status).toBe(400);
    expect(answer.json?.error.message).toBe(
      `field "filter.keywords[${index}]": "${keyword}" has no word to search for (numbers, one-letter and very common words are not indexed)`,
    );
  });

  it("refuses the same filters in a PATCH and leaves the subscription as it was", async () => {
    const { deps, receiver } = await setup();
    const created = await subscribe(deps, receiver, { types: ["event.created"], filter: { keywords: ["dam"] } });
    for (const filter of [{ theme: "elsewhere" }, { keywords: ["the"] }]) {
      const answer = await api(deps, "PATCH", `/api/v1/subscriptions/${created.id}`, { filter });
      expect(answer.status).toBe(400);
      expect(answer.json?.error.message).toMatch(/^field "filter\.(theme|keywords\[0\])": /);
    }
    const shown = await api(deps, "GET", `/api/v1/subscriptions/${created.id}`);
    expect(shown.json?.filter).toMatchObject({ theme: "isis-syria", keywords: ["dam"] });
  });
});

describe("SSRF guard", () => {
  /** Deps with private addresses refused and a resolver that never asks real DNS. */
  async function guarded(resolve: (host: string) => string[]) {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const lookups: string[] = [];
    deps.resolveHost = async (host) => {
      lookups.push(host);
      return resolve(host);
    };
    return { deps, lookups };
  }

  it.each([
    ["http://127.0.0.1/hook", "127.0.0.1 is a loopback address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"],
    ["http://[::1]:8080/hook", "::1 is a loopback address"],
    ["https://internal.example/hook", "internal.example, which resolves to 10.0.0.7, is a private address"],
    ["http://2130706433/hook", "127.0.0.1 is a loopback address"],
    ["http://0x7f.0.0.1/hook", "127.0.0.1 is a loopback address"],
    ["https://[::ffff:169.254.169.254]/", "cloud metadata address"],
    ["https://100.64.0.1/", "carrier-grade NAT"],
  ])("refuses %s with a clear 400", async (url, reason) => {
    const { deps } = await guarded((host) => (host === "internal.example" ? ["10.0.0.7"] : []));
    const answer = await api(deps, "POST", "/api/v1/subscriptions", { url, types: ["event.created"] });
    expect(answer.status).toBe(400);
    expect(answer.json?.error.code).toBe("invalid_body");
    expect(answer.json?.error.message).toContain(reason);
    // The answer says how to allow local receivers, except where no setting allows it.
    expect(answer.json?.error.message).toContain(
      reason.includes("cloud metadata") ? "never allowed" : "EVENTWIRE_ALLOW_PRIVATE_URLS",
    );
  });

  it("speaks of webhook receivers when it refuses an endpoint", async () => {
    const { deps } = await guarded(() => ["10.0.0.7"]);
    const answer = await api(deps, "POST", "/api/v1/subscriptions", {
      url: "https://hooks.example/in",
      types: ["event.created"],
    });
    expect(answer.json?.error.message).toContain(
      "only public addresses are allowed for webhook receivers (set EVENTWIRE_ALLOW_PRIVATE_URLS=true to allow local receivers)",
    );
    expect(answer.json?.error.message).not.toContain("source");
  });

  it("refuses the cloud metadata address even where private addresses are allowed", async () => {
    const table = await freshTable();
    const deps = localDeps(table);
    deps.resolveHost = async (host) => (host === "metadata.example" ? ["169.254.169.254"] : []);
    for (const url of [
      "http://169.254.169.254/latest/",
      "http://metadata.example/",
      "http://[fd00:ec2::254]/",
      "http://169.254.170.2/v2/credentials",
      "http://[64:ff9b::a9fe:a9fe]/",
      "http://[::a9fe:a9fe]/",
    ]) {
      const answer = await api(deps, "POST", "/api/v1/subscriptions", { url, types: ["event.created"] });
      expect(answer.status, url).toBe(400);
      expect(answer.json?.error.message).toContain("cloud metadata address");
      // No setting lets it through, so the answer does not suggest one.
      expect(answer.json?.error.message).not.toContain("EVENTWIRE_ALLOW_PRIVATE_URLS");
    }
  });

  it("refuses plain http to a public address and a name that does not resolve", async () => {
    const { deps } = await guarded((host) => (host === "public.example" ? ["93.184.216.34"] : []));
    const http = await api(deps, "POST", "/api/v1/subscriptions", {
      url: "http://public.example/hook",
      types: ["event.created"],
    });
    expect(http.json?.error.message).toContain("must use https");
    const nowhere = await api(deps, "POST", "/api/v1/subscriptions", {
      url: "https://nowhere.example/",
      types: ["event.created"],
    });
    expect(nowhere.json?.error.message).toContain("has no address");
  });

  it("checks the address again at send time: a name re-pointed at a private address is refused without connecting", async () => {
    let answers = 0;
    const { deps, lookups } = await guarded((host) => {
      if (host !== "rebind.example") return [];
      answers += 1;
      // Public when registered; then a private address (DNS rebinding).
      return answers === 1 ? ["93.184.216.34"] : ["10.0.0.9"];
    });
    const created = await api(deps, "POST", "/api/v1/subscriptions", {
      url: "https://rebind.example/hook",
      types: ["event.created"],
    });
    expect(created.status).toBe(201);
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    await dispatchDeliveries(deps);
    const log = await api(deps, "GET", `/api/v1/subscriptions/${created.json?.id}/deliveries`);
    expect(log.json?.items[0]).toMatchObject({ statusCode: null, outcome: "retry" });
    expect(log.json?.items[0].error).toContain("rebind.example, which resolves to 10.0.0.9, is a private address");
    expect(lookups.length).toBeGreaterThanOrEqual(2);
  });

  it("judges the address connected to: a name public at the check and loopback at connect time reaches nothing", async () => {
    const table = await freshTable();
    const deps = localDeps(table);
    const receiver = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(receiver);
    // "localhost" is 127.0.0.1 to the system too: without the connect-time check the POST would arrive.
    await subscribe(deps, receiver, { types: ["event.created"] });
    const created = (await api(deps, "GET", "/api/v1/subscriptions")).json?.items[0];
    await api(deps, "PATCH", `/api/v1/subscriptions/${created.id}`, { url: receiver.url.replace("127.0.0.1", "localhost") });
    // From here private addresses are refused; the check before sending sees a public address,
    // the connection's own lookup the loopback one.
    deps.config.webhooks = { ...deps.config.webhooks, allowPrivateUrls: false };
    const lookups: string[] = [];
    deps.resolveHost = async (host) => {
      lookups.push(host);
      return lookups.length === 1 ? ["93.184.216.34"] : ["127.0.0.1"];
    };
    await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
    await dispatchDeliveries(deps);
    expect(receiver.received).toHaveLength(0);
    expect(lookups).toEqual(["localhost", "localhost"]);
    const log = await api(deps, "GET", `/api/v1/subscriptions/${created.id}/deliveries`);
    expect(log.json?.items[0]).toMatchObject({ statusCode: null, outcome: "retry" });
    expect(log.json?.items[0].error).toContain("localhost, which resolves to 127.0.0.1, is a loopback address");
  });
});
