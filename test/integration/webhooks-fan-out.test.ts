import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { dispatchDeliveries } from "@eventwire/pipeline";
import { keys } from "@eventwire/store";
import { describe, expect, it, vi } from "vitest";
import { storeStory } from "../support/events";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { useWebhookTables } from "../support/webhook-tables";
import { api, subscribe, twoSourceStory, withStoreVerbs } from "../support/webhooks";

// The fan-out (`fanOutChanges`, inside the dispatcher): the change log turned into messages.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup, receivers } = useWebhookTables();

describe("the webhook fan-out", () => {
  describe("happy", () => {
    it("a subscription made during a long fan-out hears of the changes after its start", async () => {
      const { deps, receiver } = await setup();
      await subscribe(deps, receiver, { types: ["event.created"] });
      const late = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
      receivers.push(late);
      await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
      // Between two batches of the fan-out, a subscription is made and then a change stored.
      let reads = 0;
      const changes = deps.store.changes;
      const racing = withStoreVerbs(deps, {
        changes: {
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
      });
      await dispatchDeliveries(racing);
      await dispatchDeliveries(deps);
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(late.received.map((m) => (m.payload.data.event as { title: string }).title)).toEqual(["A second story"]);
      expect(receiver.received).toHaveLength(2);
    });
  });

  describe("error", () => {
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
  });
});
