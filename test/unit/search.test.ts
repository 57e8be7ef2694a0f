import {
  type ArticleFilter,
  articleMatchesFilter,
  DEFAULT_THEMES,
  type EventFilter,
  type EventState,
  entityKeys,
  eventMatchesFilter,
  searchTerms,
  sourceStatus,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { testArticle } from "../support/articles";

const theme = DEFAULT_THEMES[0];

function event(overrides: Partial<EventState> = {}): EventState {
  return {
    id: "e".repeat(32),
    theme: "isis-syria",
    version: 1,
    seq: 1,
    title: "Fighters retake the Tabqa dam after a week of clashes",
    centralArticleId: "a".repeat(32),
    centralTerms: new Map(),
    centralScore: 1,
    firstSeen: "2026-05-01T08:00:00.000Z",
    lastSeen: "2026-05-03T08:00:00.000Z",
    articleCount: 3,
    originalCount: 3,
    outlets: [
      { key: "a", name: "a" },
      { key: "b", name: "b" },
    ],
    titleTerms: new Map([["tabqa", 1]]),
    bodyTerms: new Map([["reservoir", 0.5]]),
    entities: new Map([
      ["isis", { type: "org", weight: 1 }],
      ["tabqa", { type: "place", weight: 0.5 }],
    ]),
    members: [],
    ...overrides,
  };
}

const none: EventFilter = { terms: [], entityKeys: null, minSources: 1, until: null };

describe("search terms", () => {
  it.each([
    ["Attacks on the DAM", ["attack", "dam"]],
    ["dam dam Dam", ["dam"]],
    ["Türkiye", ["turkiy"]],
    ["the of 2026 a", []],
  ])("reads %j as %j", (query, terms) => {
    expect(searchTerms(query)).toEqual(terms);
  });
});

describe("event filter", () => {
  it.each<[string, Partial<EventFilter>, boolean]>([
    ["no filter", {}, true],
    ["a title word in another form", { terms: searchTerms("retaking") }, true],
    ["a word of the articles' text", { terms: searchTerms("reservoir") }, true],
    ["an entity's name", { terms: searchTerms("tabqa isis") }, true],
    ["a word it lacks", { terms: searchTerms("dam ceasefire") }, false],
    ["its entity", { entityKeys: ["isis"] }, true],
    ["another entity", { entityKeys: ["sdf"] }, false],
    ["as many sources as it has", { minSources: 2 }, true],
    ["more sources than it has", { minSources: 3 }, false],
    ["begun by then", { until: "2026-05-01T08:00:00.000Z" }, true],
    ["begun later", { until: "2026-05-01T07:59:59.999Z" }, false],
  ])("%s", (_label, filter, expected) => {
    expect(eventMatchesFilter(event(), { ...none, ...filter })).toBe(expected);
  });
});

describe("entity keys", () => {
  it("resolves a theme entity by id or by any of its names, and keeps the folded name", () => {
    expect(entityKeys("ISIS", theme)).toContain("isis");
    expect(entityKeys("Islamic State", theme)).toContain("isis");
    expect(entityKeys("Abu Bakr al-Baghdadi", undefined)).toEqual(["abu bakr al baghdadi"]);
  });
});

describe("article filter", () => {
  const article = {
    ...testArticle({ title: "Strike near Raqqa", link: "https://a.example/1", summaryHtml: "Drones hit a depot." }),
    onTheme: true,
  };
  const base: ArticleFilter = { terms: [], theme: null, eventId: null, sourceId: null, onTheme: null };
  it.each<[string, Partial<ArticleFilter>, boolean]>([
    ["a title word", { terms: searchTerms("raqqa") }, true],
    ["a summary word", { terms: searchTerms("drone") }, true],
    ["a word it lacks", { terms: searchTerms("raqqa aleppo") }, false],
    ["its source", { sourceId: "src" }, true],
    ["another source", { sourceId: "other" }, false],
    ["on-theme", { onTheme: true }, true],
    ["off-theme", { onTheme: false }, false],
    ["another theme", { theme: "elsewhere" }, false],
    ["an event", { eventId: "e".repeat(32) }, false],
  ])("%s", (_label, filter, expected) => {
    expect(articleMatchesFilter(article, { ...base, ...filter })).toBe(expected);
  });
});

describe("source status", () => {
  const healthy = { enabled: true, lastSuccessAt: "2026-05-01T00:00:00Z", lastError: null, consecutiveFailures: 0 };
  it.each([
    [healthy, "ok"],
    [{ ...healthy, lastSuccessAt: null }, "pending"],
    [{ ...healthy, lastError: "HTTP 500", consecutiveFailures: 2 }, "failing"],
    [{ ...healthy, enabled: false }, "disabled"],
  ] as const)("%j is %s", (source, status) => {
    expect(sourceStatus(source)).toBe(status);
  });
});
