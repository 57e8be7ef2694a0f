import type { Article } from "@eventwire/core";
import { dispatchDeliveries, matchArticle, type PipelineDeps } from "@eventwire/pipeline";
import { describe, expect, it, vi } from "vitest";
import { testArticle } from "../support/articles";
import { storeStory } from "../support/events";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { useWebhookTables } from "../support/webhook-tables";
import { api, subscribe, twoSourceStory } from "../support/webhooks";

// Which changes a subscription hears of (minSources, event ids, entities, keywords), and the
// filters the API refuses.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { setup, receivers } = useWebhookTables();

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

describe("subscription filters", () => {
  describe("happy", () => {
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

    it("takes a known theme and keywords with words searched for", async () => {
      const { deps, receiver } = await setup();
      const created = await subscribe(deps, receiver, {
        types: ["event.created"],
        filter: { theme: "isis-syria", keywords: ["Tabqa dam", "the ceasefire"] },
      });
      const shown = await api(deps, "GET", `/api/v1/subscriptions/${created.id}`);
      expect(shown.json?.filter).toMatchObject({ theme: "isis-syria", keywords: ["Tabqa dam", "the ceasefire"] });
    });
  });

  describe("error", () => {
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
});
