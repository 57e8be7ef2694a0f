import { type ArticleSummary, DEFAULT_THEMES, type ThemeDefinition } from "@eventwire/core";
import type { Store } from "@eventwire/store";
import { afterAll, beforeAll } from "vitest";
import { startTestServer, type TestHttpServer } from "./http-server";

/** The shipped theme (ISIS and Syria), the first of the two-theme deployments the tests run. */
export const FIRST_THEME = DEFAULT_THEMES[0] as ThemeDefinition;

/**
 * A second theme written for the tests, near the first on purpose: rivers, dams and water. A
 * report of fighters taking a dam on the Euphrates in Syria is on both; one of a drought on the
 * Tigris only on this one; one of an attack in the Syrian desert only on the first.
 */
export const RIVERS_THEME: ThemeDefinition = {
  id: "rivers-and-dams",
  title: "Rivers and dams",
  description: "Rivers, dams and the water they hold, for the tests of several themes.",
  language: "en",
  threshold: 0.4,
  followUpThreshold: 0.1,
  entities: [
    { id: "euphrates", type: "place", weight: 3, aliases: ["Euphrates"] },
    { id: "tigris", type: "place", weight: 3, aliases: ["Tigris"] },
  ],
  terms: [
    { term: "dam", weight: 2 },
    { term: "drought", weight: 2 },
    { term: "reservoir", weight: 1.5 },
    { term: "river", weight: 1 },
    { term: "water", weight: 1, supporting: true },
  ],
};

/** The two themes in the order a deployment follows them: the first stores the articles. */
export const TWO_THEMES: readonly ThemeDefinition[] = [FIRST_THEME, RIVERS_THEME];

/** One item of a test feed: a link path, a headline, a description and its publication time. */
type FeedItem = { path: string; title: string; description: string; published: string };

/** An RSS document of these items on `site` (links `https://<site><path>`). */
export function rssFeed(site: string, items: readonly FeedItem[]): string {
  const entries = items.map(
    (item) =>
      `<item><title>${item.title}</title><link>https://${site}${item.path}</link><guid>https://${site}${item.path}</guid><pubDate>${new Date(item.published).toUTCString()}</pubDate><description>${item.description}</description></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${site}</title><link>https://${site}/</link>${entries.join("")}</channel></rss>`;
}

/**
 * Reports for two themes: `both` on each theme, `first` only on the first, `second` only on the
 * second, `neither` on none. Published the morning of 2026-05-04.
 */
export const THEMED_ITEMS = {
  both: {
    path: "/tabqa-dam",
    title: "Islamic State fighters seize the Tabqa dam on the Euphrates in Syria",
    description:
      "Islamic State fighters took control of the Tabqa dam on the Euphrates river in northern Syria, raising fears for the reservoir.",
    published: "2026-05-04T06:00:00Z",
  },
  first: {
    path: "/palmyra-attack",
    title: "Islamic State attack kills soldiers near Palmyra in Syria",
    description: "Islamic State militants attacked an army checkpoint near Palmyra in the Syrian desert, killing soldiers.",
    published: "2026-05-04T07:00:00Z",
  },
  second: {
    path: "/tigris-drought",
    title: "Drought shrinks the Tigris as the river falls to a record low",
    description: "A long drought has left the Tigris river at its lowest level on record, and farmers along it short of water.",
    published: "2026-05-04T08:00:00Z",
  },
  neither: {
    path: "/cup-final",
    title: "Home side wins the cup final after extra time",
    description: "The home side won the cup final in extra time before a full stadium.",
    published: "2026-05-04T09:00:00Z",
  },
} satisfies Record<string, FeedItem>;

/** A feed server for a test file, started before its tests and closed after them: `feeds()` is it. */
export function useFeedServer(): { feeds: () => TestHttpServer } {
  let server: TestHttpServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    feeds() {
      if (server === undefined) throw new Error("the feed server starts before the tests");
      return server;
    },
  };
}

/** Every article a theme judged (on and off the theme), as that theme judged it. */
export async function judgedBy(store: Store, themeId: string): Promise<ArticleSummary[]> {
  const on = await store.articles.listByTheme(themeId, { limit: 100 });
  const off = await store.articles.listOffTheme(themeId, { limit: 100 });
  return [...on.items, ...off.items];
}
