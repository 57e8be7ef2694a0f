import { hashId } from "@eventwire/core";
import { dispatchDeliveries } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { storeStory } from "../support/events";
import { useWebhookTables } from "../support/webhook-tables";
import { api, bulkMessage, storeStories, subscribe, twoSourceStory, withStoreVerbs } from "../support/webhooks";

// The dispatcher (`dispatchDeliveries`) over a healthy endpoint: each message sent once, signed; the
// messages its own fan-out stores claimed; held messages made due again.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup } = useWebhookTables();

describe("dispatching webhooks", () => {
  describe("happy", () => {
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
      const counting = withStoreVerbs(deps, {
        webhooks: {
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
      });
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

    it("delivers the messages of a subscription resumed while a dispatcher had read it as paused", async () => {
      const { deps, receiver } = await setup();
      const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
      await api(deps, "POST", `/api/v1/subscriptions/${subscription.id}/pause`);
      await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
      // The resume lands just after the dispatcher has read the subscriptions.
      let resumed = false;
      const webhooks = deps.store.webhooks;
      const racing = withStoreVerbs(deps, {
        webhooks: {
          listSubscriptions: async () => {
            const listed = await webhooks.listSubscriptions();
            if (!resumed) {
              resumed = true;
              expect((await api(deps, "POST", `/api/v1/subscriptions/${subscription.id}/resume`)).json?.state).toBe("active");
            }
            return listed;
          },
        },
      });
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
  });
});
