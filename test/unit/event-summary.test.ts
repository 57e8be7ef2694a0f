import { type EventChange, type EventState, eventPayload, eventSummary } from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { eventJson } from "../../packages/api/src/event-json";

// An event as the API's JSON and webhook messages show it: one summary in core, each adding its own.
const entities = new Map(
  Array.from({ length: 12 }, (_, index) => [`entity-${index}`, { type: "org" as const, weight: (index + 1) / 3 }]),
);
const event = {
  id: "e".repeat(32),
  theme: "isis-syria",
  title: "Dam taken",
  firstSeen: "2026-05-04T08:00:00.000Z",
  lastSeen: "2026-05-04T10:00:00.000Z",
  articleCount: 7,
  centralArticleId: "a".repeat(32),
  outlets: [
    { key: "a", name: "A" },
    { key: "b", name: "B" },
    { key: "c", name: "C" },
  ],
  entities,
  titleTerms: new Map([["dam", 2]]),
  bodyTerms: new Map([["river", 1]]),
} as unknown as EventState;

const change: EventChange = {
  themeId: "isis-syria",
  seq: 9,
  at: "2026-05-04T10:00:00.000Z",
  eventId: event.id,
  kind: "updated",
  before: { articleCount: 5, sourceCount: 2 },
  after: { articleCount: 6, sourceCount: 3 },
} as EventChange;

const HEAD = ["id", "theme", "title", "firstSeen", "lastSeen", "articleCount", "sourceCount"];

describe("an event's summary", () => {
  it("happy: its own counts, or a change's", () => {
    expect(eventSummary(event)).toEqual({
      id: event.id,
      theme: "isis-syria",
      title: "Dam taken",
      firstSeen: event.firstSeen,
      lastSeen: event.lastSeen,
      articleCount: 7,
      sourceCount: 3,
    });
    expect(eventSummary(event, change.after)).toMatchObject({ articleCount: 6, sourceCount: 3 });
    expect(eventSummary(event, { articleCount: 0, sourceCount: 0 })).toMatchObject({ articleCount: 0, sourceCount: 0 });
  });

  it("happy: the API's JSON is the summary, then its central article, entities with weights, terms and URL", () => {
    const json = eventJson(event, "https://news.example");
    expect(Object.keys(json)).toEqual([...HEAD, "centralArticleId", "entities", "terms", "url"]);
    expect(json).toMatchObject({ ...eventSummary(event), url: `https://news.example/api/v1/events/${event.id}` });
    expect(json.entities).toHaveLength(10);
    expect(json.entities[0]).toEqual({ name: "entity-11", type: "org", weight: 4 });
    expect(json.entities[1]).toEqual({ name: "entity-10", type: "org", weight: 3.667 });
  });

  it("happy: a message's event is the summary as of the change, then its previous counts, entities without weights and links", () => {
    const payload = eventPayload(event, change, "https://news.example");
    expect(Object.keys(payload)).toEqual([...HEAD, "previous", "entities", "url", "apiUrl", "feedUrl"]);
    expect(payload).toMatchObject({ ...eventSummary(event, change.after), previous: change.before });
    expect(payload.entities).toHaveLength(10);
    expect(payload.entities[0]).toEqual({ name: "entity-11", type: "org" });
    // The same entities, in the same order, as the API shows.
    expect(payload.entities.map((entity) => entity.name)).toEqual(
      eventJson(event, "https://news.example").entities.map((entity) => entity.name),
    );
  });
});
