import { hashId } from "@eventwire/core";
import { type ClaimAhead, dispatchDeliveries, fanOutChanges } from "@eventwire/pipeline";
import { describe, expect, it, vi } from "vitest";
import { storeStory } from "../support/events";
import { runUntilKilled } from "../support/killed-child";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { localDeps, useWebhookTables } from "../support/webhook-tables";
import { api, bulkMessage, storeStories, subscribe, twoSourceStory } from "../support/webhooks";

// Dispatchers that race, stall or die: every message is still sent, and sent once.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup, receivers } = useWebhookTables();

describe("two dispatchers and crashes", () => {
  describe("error", () => {
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
});
