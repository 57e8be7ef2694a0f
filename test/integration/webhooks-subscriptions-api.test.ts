import { dispatchDeliveries } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { storeStory } from "../support/events";
import { useWebhookTables } from "../support/webhook-tables";
import { api, subscribe, twoSourceStory } from "../support/webhooks";

// The subscription routes (`manage-subscriptions`): secrets, rotation, pause and resume, test
// pings, retries, and the catch-up listing of messages.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup } = useWebhookTables();

describe("subscriptions API", () => {
  describe("happy", () => {
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
  });

  describe("error", () => {
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
});
