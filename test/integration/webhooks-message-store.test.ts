import { hashId, type WebhookMessage } from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { useWebhookTables } from "../support/webhook-tables";
import { bulkMessage, storedMessages, subscribe } from "../support/webhooks";

// The message repository's writes of many messages at once: numbering, claims, attempt ends.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup } = useWebhookTables();

describe("the webhook message store", () => {
  describe("happy", () => {
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
      const { deps, messages } = await storedMessages(setup, "claims", 5);
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
      const { deps, receiver, subscription, now, messages } = await storedMessages(setup, "ends", 3);
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
  });
});
