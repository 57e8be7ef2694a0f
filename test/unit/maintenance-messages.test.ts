import {
  correctionData,
  decisionCorrections,
  describeCorrection,
  type EventChange,
  type EventFilter,
  type EventState,
  planMessages,
  type SubscribedType,
  type SubscriptionFilter,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

// Which subscriptions hear of a maintenance change (event.merged, event.split), what the message
// carries, and the record a decision leaves on its events.
function event(id: string, title: string, sources: number, entities: string[] = []): EventState {
  return {
    id,
    theme: "isis-syria",
    title,
    firstSeen: "2026-05-03T08:00:00Z",
    lastSeen: "2026-05-03T12:00:00Z",
    outlets: Array.from({ length: sources }, (_, n) => ({ key: `o${n}`, name: `o${n}` })),
    entities: new Map(entities.map((name) => [name, { type: "place" as const, weight: 1 }])),
    titleTerms: new Map(),
    bodyTerms: new Map(),
  } as unknown as EventState;
}

const successor = event("a".repeat(32), "Raqqa market bombing", 5, ["raqqa"]);
const away = event("b".repeat(32), "Explosion in a market", 2, ["aleppo"]);
const merged: EventChange = {
  themeId: "isis-syria",
  seq: 9,
  at: "2026-05-04T10:00:00Z",
  eventId: successor.id,
  kind: "merged",
  articleId: "",
  claimedArticleIds: [],
  before: { articleCount: 3, sourceCount: 1 },
  after: { articleCount: 5, sourceCount: 3 },
  correction: {
    relatedEventId: away.id,
    relatedCounts: { articleCount: 2, sourceCount: 2 },
    movedArticleIds: ["x1", "x2"],
    movedCount: 2,
    summary: "one bombing",
  },
};
const split: EventChange = { ...merged, kind: "split", before: { articleCount: 5, sourceCount: 4 } };
const filter: SubscriptionFilter = { theme: "isis-syria", eventIds: null, entities: null, keywords: null, minSources: null };
const everything: EventFilter = { terms: [], entityKeys: null, minSources: 0, until: null };

function plan(change: EventChange, types: SubscribedType[], f: Partial<SubscriptionFilter> = {}, compiled = everything) {
  return planMessages(change, { types, filter: { ...filter, ...f }, startSeq: 0 }, successor, compiled, away).map((m) => m.type);
}

describe("planning a maintenance change's messages", () => {
  it("sends event.merged / event.split to subscriptions that list it or take every type, and to no other", () => {
    expect(plan(merged, ["event.merged"])).toEqual(["event.merged"]);
    expect(plan(merged, ["*"])).toEqual(["event.merged", "event.corroborated"]);
    expect(plan(merged, ["event.created", "event.updated", "article.added"])).toEqual([]);
    expect(plan(split, ["event.split", "event.merged"])).toEqual(["event.split"]);
    expect(plan(split, ["*"])).toEqual(["event.split"]);
  });

  it("follows either event: a subscriber of the merged-away one hears where it went", () => {
    expect(plan(merged, ["event.merged"], { eventIds: [away.id] })).toEqual(["event.merged"]);
    expect(plan(merged, ["event.merged"], { eventIds: [successor.id] })).toEqual(["event.merged"]);
    expect(plan(merged, ["event.merged"], { eventIds: ["c".repeat(32)] })).toEqual([]);
  });

  it("sends once either side has had minSources, and matches words and entities on either event", () => {
    expect(plan(merged, ["event.merged"], { minSources: 3 })).toEqual(["event.merged"]);
    expect(plan(merged, ["event.merged"], { minSources: 4 })).toEqual([]);
    // The split's kept part has 3 sources, the event had 4 before: its subscriber hears of it.
    expect(plan(split, ["event.split"], { minSources: 4 })).toEqual(["event.split"]);
    expect(plan(split, ["event.split"], { minSources: 5 })).toEqual([]);
    const onAleppo = { ...everything, entityKeys: ["aleppo"] };
    expect(plan(merged, ["event.merged"], {}, onAleppo)).toEqual(["event.merged"]);
    expect(plan(merged, ["event.merged"], {}, { ...everything, entityKeys: ["palmyra"] })).toEqual([]);
  });

  it("corroborates on a merge that takes the successor to the threshold, never on a split", () => {
    expect(plan(merged, ["event.corroborated"])).toEqual(["event.corroborated"]);
    expect(plan(merged, ["event.corroborated"], { minSources: 4 })).toEqual([]);
    expect(plan(split, ["event.corroborated"])).toEqual([]);
  });
});

describe("a maintenance message's data", () => {
  it("event.merged: the successor with its counts before and after, and the merged-away event", () => {
    expect(correctionData(successor, merged, away, "https://eventwire.test")).toMatchObject({
      event: { id: successor.id, articleCount: 5, sourceCount: 3, previous: { articleCount: 3, sourceCount: 1 } },
      mergedEventId: away.id,
      mergedEvent: { id: away.id, title: away.title, articleCount: 2, url: `https://eventwire.test/events/${away.id}` },
      explanation: "one bombing",
    });
  });

  it("event.split: the kept event, the new one with its counts, the moved articles", () => {
    expect(correctionData(successor, split, away, null)).toMatchObject({
      event: { id: successor.id, previous: { sourceCount: 4 } },
      newEvent: { id: away.id, articleCount: 2, sourceCount: 2, previous: null, url: `/events/${away.id}` },
      movedArticleIds: ["x1", "x2"],
      movedArticleCount: 2,
    });
    expect(() => correctionData(successor, split, undefined, null)).toThrow("the event the split opened cannot be read");
  });
});

describe("the record a decision leaves", () => {
  it("names the other event from each side, with when and why", () => {
    const explanation = { summary: "one bombing", signals: { title: 0.9 } };
    const at = "2026-05-04T10:00:00Z";
    expect(decisionCorrections({ kind: "merge", into: "i", from: "f", explanation }, at)).toEqual([
      { eventId: "i", correction: { kind: "merged", other: "f", at, ...explanation } },
      { eventId: "f", correction: { kind: "merged-into", other: "i", at, ...explanation } },
    ]);
    const records = decisionCorrections({ kind: "split", from: "f", into: "n", articleIds: ["x"], explanation }, at);
    expect(records.map((record) => [record.eventId, record.correction.kind, record.correction.other])).toEqual([
      ["f", "split", "n"],
      ["n", "split-from", "f"],
    ]);
    expect(describeCorrection({ kind: "merged" }, "Market blast")).toContain("“Market blast” was found to be the same happening");
  });
});
