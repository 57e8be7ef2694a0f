import {
  type ArticleSummary,
  articleFeedEntry,
  chooseXmlFeedFormat,
  type EventState,
  eventEntryArticleIds,
  eventFeedEntry,
  type FeedUrls,
  newestTime,
  type Theme,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const theme: Theme = { id: "isis-syria", title: "ISIS and Syria", description: "Test theme", language: "en" };
const urls: FeedUrls = {
  eventPage: (id) => `https://ew.example/events/${id}`,
  eventFeed: (id) => `https://ew.example/feeds/events/${id}.rss`,
  eventApi: (id) => `https://ew.example/api/v1/events/${id}`,
  articleApi: (id) => `https://ew.example/api/v1/articles/${id}`,
  sourceApi: (id) => `https://ew.example/api/v1/sources/${id}`,
};

function article(id: string, overrides: Partial<ArticleSummary> = {}): ArticleSummary {
  return {
    id,
    url: `https://news.example/${id}`,
    guid: null,
    sourceId: "src-1",
    sourceTitle: "News Example",
    title: `Story ${id}`,
    summary: `Summary ${id}`,
    author: null,
    language: "en",
    publishedAt: "2026-05-02T10:00:00.000Z",
    dateInferred: false,
    fetchedAt: "2026-05-02T10:01:00.000Z",
    theme: "isis-syria",
    onTheme: true,
    themeScore: 0.8,
    contentHash: "h",
    eventId: "e1",
    explanation: null,
    ...overrides,
  };
}

function event(overrides: Partial<EventState> = {}): EventState {
  return {
    id: "e1",
    theme: "isis-syria",
    version: 3,
    seq: 7,
    title: "Dam taken",
    centralArticleId: "a1",
    centralTerms: new Map(),
    centralScore: 1,
    firstSeen: "2026-05-01T08:00:00.000Z",
    lastSeen: "2026-05-02T10:00:00.000Z",
    articleCount: 3,
    originalCount: 3,
    outlets: [
      { key: "s1", name: "s1" },
      { key: "s2", name: "s2" },
    ],
    titleTerms: new Map(),
    bodyTerms: new Map(),
    entities: new Map(),
    members: ["a1", "a2", "a3", "a4", "a5", "a6", "a7"].map((articleId) => ({
      articleId,
      sourceId: "s1",
      publishedAt: "2026-05-01T08:00:00.000Z",
      simhash: null,
      contentHash: "h",
      copyOf: null,
      outlet: "s1",
      credit: null,
    })),
    ...overrides,
  };
}

describe("feed entries", () => {
  it("an article names and links its event and its source", () => {
    const entry = articleFeedEntry(article("a1"), { theme, urls, eventTitles: new Map([["e1", "Dam taken"]]) });
    expect(entry.categories.map((category) => category.label)).toEqual(["ISIS and Syria", "Dam taken", "News Example"]);
    expect(entry.related).toEqual([
      { label: "Event", title: "Dam taken", url: "https://ew.example/events/e1" },
      { label: "Follow this event", title: "feed of its articles", url: "https://ew.example/feeds/events/e1.rss" },
      { label: "Source", title: "News Example", url: "https://ew.example/api/v1/sources/src-1" },
    ]);
    expect(entry.extension).toMatchObject({ event_id: "e1", event_title: "Dam taken", source_id: "src-1" });
  });

  it("an article without an event or a URL still names its source and links our copy", () => {
    const entry = articleFeedEntry(article("a2", { eventId: null, url: null, sourceTitle: null }), {
      theme,
      urls,
      eventTitles: new Map(),
    });
    expect(entry.url).toBe("https://ew.example/api/v1/articles/a2");
    expect(entry.related).toEqual([{ label: "Source", title: "src-1", url: "https://ew.example/api/v1/sources/src-1" }]);
    expect(entry.extension.event_url).toBeNull();
  });

  it("an event is one entry whose id is the event's, with counts, start and its articles", () => {
    const entry = eventFeedEntry(event(), [article("a7"), article("a6")], theme, urls);
    expect(entry.id).toBe("urn:eventwire:event:e1");
    expect(entry.summary).toBe(
      "3 articles from 2 distinct sources; first seen 2026-05-01 08:00 UTC, last seen 2026-05-02 10:00 UTC.",
    );
    expect(entry.related.map((link) => link.url)).toEqual([
      "https://news.example/a7",
      "https://news.example/a6",
      "https://ew.example/feeds/events/e1.rss",
    ]);
    expect(eventFeedEntry(event({ articleCount: 1, outlets: [{ key: "s1", name: "s1" }] }), [], theme, urls).summary).toMatch(
      /^1 article from 1 distinct source;/,
    );
  });

  it("an article is dated by its publication, and modified only when an edit was found", () => {
    const plain = articleFeedEntry(article("a1"), { theme, urls, eventTitles: new Map() });
    // Not the fetch time: one run fetches many articles at the same instant.
    expect(plain).toMatchObject({
      publishedAt: "2026-05-02T10:00:00.000Z",
      updatedAt: "2026-05-02T10:00:00.000Z",
      datedBy: "published",
    });
    const edited = articleFeedEntry(article("a1", { updatedAt: "2026-05-03T07:00:00.000Z" }), {
      theme,
      urls,
      eventTitles: new Map(),
    });
    expect(edited.updatedAt).toBe("2026-05-03T07:00:00.000Z");
  });

  it("an event is dated by its last change, under an id that never changes", () => {
    const first = eventFeedEntry(event(), [], theme, urls);
    const grown = eventFeedEntry(event({ lastSeen: "2026-05-03T06:00:00.000Z", articleCount: 4 }), [], theme, urls);
    expect(first).toMatchObject({ publishedAt: "2026-05-01T08:00:00.000Z", updatedAt: "2026-05-02T10:00:00.000Z" });
    expect(grown).toMatchObject({ publishedAt: "2026-05-01T08:00:00.000Z", updatedAt: "2026-05-03T06:00:00.000Z" });
    expect(grown.datedBy).toBe("updated");
    expect(grown.id).toBe(first.id);
  });

  it("categories say their kind: theme, event and source schemes", () => {
    const entry = articleFeedEntry(article("a1"), { theme, urls, eventTitles: new Map([["e1", "Dam taken"]]) });
    expect(entry.categories).toEqual([
      { term: "isis-syria", label: "ISIS and Syria", scheme: "urn:eventwire:theme" },
      { term: "event-e1", label: "Dam taken", scheme: "urn:eventwire:event" },
      { term: "source-src-1", label: "News Example", scheme: "urn:eventwire:source" },
    ]);
    expect(eventFeedEntry(event(), [], theme, urls).categories.map((category) => category.scheme)).toEqual([
      "urn:eventwire:theme",
      "urn:eventwire:event",
    ]);
  });

  it("an event's entry links its five latest members, newest first", () => {
    expect(eventEntryArticleIds(event())).toEqual(["a7", "a6", "a5", "a4", "a3"]);
  });

  it("the newest time is cut to whole seconds, the epoch when there is none", () => {
    expect(newestTime(["2026-05-01T00:00:00.900Z", "2026-05-02T00:00:00.500Z", "garbage"]).toISOString()).toBe(
      "2026-05-02T00:00:00.000Z",
    );
    expect(newestTime([]).getTime()).toBe(0);
  });

  it.each([
    [undefined, "rss"],
    ["", "rss"],
    ["*/*", "rss"],
    ["application/atom+xml", "atom"],
    ["application/rss+xml", "rss"],
    ["application/atom+xml, application/rss+xml", "rss"],
    ["application/rss+xml;q=0.5, application/atom+xml", "atom"],
    ["application/atom+xml;q=0.2, application/*;q=0.5", "rss"],
    ["application/*, application/atom+xml;q=0", "rss"],
    ["text/html, application/atom+xml;q=0.9, */*;q=0.8", "atom"],
    ["APPLICATION/ATOM+XML", "atom"],
    ["application/atom+xml;q=nonsense", "rss"],
  ] as const)(".xml with Accept %j is %s", (accept, format) => {
    expect(chooseXmlFeedFormat(accept)).toBe(format);
  });
});
