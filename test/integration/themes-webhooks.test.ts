import { addSource, dispatchDeliveries, ingestDueSources } from "@eventwire/pipeline";
import { describe, expect, it, vi } from "vitest";
import { serveAlways } from "../support/http-server";
import { FIRST_THEME, RIVERS_THEME, rssFeed, THEMED_ITEMS, TWO_THEMES, useFeedServer } from "../support/themes";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { useWebhookTables } from "../support/webhook-tables";
import { subscribe } from "../support/webhooks";

// Webhooks of a deployment following two themes: each theme's changes go out from its own
// outbox, to the subscriptions filtering on that theme, naming that theme's events and articles.
const SITE = "webhook-themes.example";
const { setup, receivers } = useWebhookTables();
const { feeds } = useFeedServer();

describe("webhooks of two themes", () => {
  it("each theme's subscribers hear of its own events, with its own articles", async () => {
    const { deps, receiver } = await setup();
    deps.config.themes = TWO_THEMES;
    const firstReceiver = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
    receivers.push(firstReceiver);
    await subscribe(deps, receiver, { types: ["event.created", "article.added"], filter: { theme: RIVERS_THEME.id } });
    await subscribe(deps, firstReceiver, { types: ["event.created"], filter: { theme: FIRST_THEME.id } });
    feeds().route("/feed.rss", serveAlways(rssFeed(SITE, Object.values(THEMED_ITEMS)), "application/rss+xml"));
    const added = await addSource(deps, { url: `${feeds().url}/feed.rss` });
    if (!added.ok) throw new Error(added.error);

    await ingestDueSources(deps);
    await dispatchDeliveries(deps);

    const titles = (items: readonly { title: string }[]) => items.map((item) => item.title).sort();
    type Event = { id: string; theme: string; title: string };
    const created = receiver.received.filter((message) => message.payload.type === "event.created");
    const events = created.map((message) => message.payload.data.event as Event);
    expect(titles(events)).toEqual(titles([THEMED_ITEMS.both, THEMED_ITEMS.second]));
    expect(events.every((event) => event.theme === RIVERS_THEME.id)).toBe(true);
    // The articles the second theme's changes name are its memberships of articles the first theme stored.
    const articles = receiver.received
      .filter((message) => message.payload.type === "article.added")
      .map((message) => message.payload.data.article as { title: string });
    expect(titles(articles)).toEqual(titles([THEMED_ITEMS.both, THEMED_ITEMS.second]));

    // The first theme's subscriber hears of each of its events (however its matcher grouped the reports), and only those.
    const firstEvents = firstReceiver.received.map((message) => message.payload.data.event as Event);
    const stored = (await deps.store.events.listByTheme(FIRST_THEME.id, { limit: 10 })).items;
    expect(firstEvents.map((event) => event.id).sort()).toEqual(stored.map((event) => event.id).sort());
    expect(firstEvents.length).toBeGreaterThan(0);
    expect(firstEvents.every((event) => event.theme === FIRST_THEME.id)).toBe(true);
    expect(firstEvents.map((event) => event.id).filter((id) => events.some((event) => event.id === id))).toEqual([]);
  });
});
