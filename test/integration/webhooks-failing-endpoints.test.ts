import { hashId } from "@eventwire/core";
import { dispatchDeliveries } from "@eventwire/pipeline";
import { describe, expect, it, vi } from "vitest";
import { storeStory } from "../support/events";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { useWebhookTables } from "../support/webhook-tables";
import { api, bulkMessage, subscribe, twoSourceStory } from "../support/webhooks";

// One attempt and its verdict (`attemptDelivery`, through the dispatcher): retries on the
// schedule, Retry-After, and disabling an endpoint that is gone or has failed for five days.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup, receivers } = useWebhookTables();

describe("attempts at a failing endpoint", () => {
  describe("error", () => {
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
  });
});
