import {
  createThemeMatcher,
  DEFAULT_THEMES,
  EventIndex,
  type EventState,
  INDEX_WINDOW,
  importIntoEvent,
  matchInMemory,
  SHIPPED_MODEL,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const DAY = 86_400_000;
const WINDOW = 45 * DAY;
const T0 = Date.parse("2026-03-01T00:00:00Z");
const at = (days: number) => new Date(T0 + days * DAY).toISOString();

/** An event last seen `lastDay` days after T0, using `terms` (title and body alike). */
function event(id: string, lastDay: number, terms: string[], firstDay = lastDay): EventState {
  const weights = new Map(terms.map((term) => [term, 1 / Math.sqrt(terms.length)]));
  return {
    id,
    theme: "t",
    version: 1,
    seq: 0,
    title: id,
    centralArticleId: id,
    centralTerms: weights,
    centralScore: 1,
    firstSeen: at(firstDay),
    lastSeen: at(lastDay),
    articleCount: 1,
    originalCount: 1,
    outlets: [],
    titleTerms: weights,
    bodyTerms: weights,
    entities: new Map([[`ent-${terms[0]}`, { type: "place" as const, weight: 1 }]]),
    members: [],
  };
}

const query = (terms: string[], day: number) => ({
  terms,
  entities: [],
  time: T0 + day * DAY,
  windowMs: WINDOW,
  maxCandidates: 10,
});

describe("the index's window", () => {
  it("drops an event last seen more than the window before the newest, and keeps one inside it", () => {
    const index = new EventIndex(WINDOW);
    index.upsert(event("old", 0, ["dam", "river"]));
    index.upsert(event("inside", 10, ["dam", "bridge"]));
    index.upsert(event("newest", 50, ["port", "ship"]));
    expect([...index.events.keys()].sort()).toEqual(["inside", "newest"]);
    expect(index.newest).toBe(T0 + 50 * DAY);
    // Its postings went with it: no look-up finds it, and its keys count no event.
    expect(index.candidates(query(["river"], 10)).map((each) => each.id)).toEqual([]);
    expect(index.candidates(query(["dam"], 10)).map((each) => each.id)).toEqual(["inside"]);
  });

  it("keeps an event on the window's edge and drops it a moment later", () => {
    const index = new EventIndex(WINDOW);
    index.upsert(event("edge", 0, ["dam"]));
    index.upsert(event("later", 45, ["port"]));
    expect(index.events.has("edge")).toBe(true);
    index.upsert(event("later", 45.001, ["port"]));
    expect(index.events.has("edge")).toBe(false);
  });

  it("keeps an event that grew since it was first indexed, by its latest lastSeen", () => {
    const index = new EventIndex(WINDOW);
    index.upsert(event("story", 0, ["dam"]));
    index.upsert({ ...event("story", 30, ["dam"], 0), version: 2 });
    index.upsert(event("other", 60, ["port"]));
    expect(index.events.get("story")?.version).toBe(2);
    index.upsert(event("other", 76, ["port"]));
    expect(index.events.has("story")).toBe(false);
  });

  it("keeps an older event a caller upserts, until the newest time moves on", () => {
    const index = new EventIndex(WINDOW);
    index.upsert(event("newest", 100, ["port"]));
    index.upsert(event("read-back", 1, ["dam"]));
    expect(index.events.has("read-back")).toBe(true);
    expect(index.newest).toBe(T0 + 100 * DAY);
    index.upsert(event("next", 101, ["ship"]));
    expect(index.events.has("read-back")).toBe(false);
  });

  it("weighs terms by their frequency over the events of the window", () => {
    const windowed = new EventIndex(WINDOW);
    const forever = new EventIndex();
    for (const [index, day] of [0, 1, 2, 3, 100].entries()) {
      const each = event(`e${index}`, day, index < 4 ? ["dam", `own${index}`] : ["port"]);
      windowed.upsert(each);
      forever.upsert(each);
    }
    expect(windowed.size).toBe(1);
    expect(forever.size).toBe(5);
    // ln(1 + (N + 1) / (ef + 1)): "dam" is in no event of the window, in four of all.
    expect(windowed.termIdf("dam")).toBeCloseTo(Math.log(1 + 2 / 1), 12);
    expect(forever.termIdf("dam")).toBeCloseTo(Math.log(1 + 6 / 5), 12);
    expect(windowed.termIdf("port")).toBeCloseTo(Math.log(1 + 2 / 2), 12);
  });

  it("reuses the slots of dropped events and stays the size of its window as time runs on", () => {
    const index = new EventIndex(10 * DAY);
    for (let day = 0; day < 2000; day += 1) index.upsert(event(`e${day}`, day, ["dam", `t${day}`]));
    expect(index.size).toBe(11);
    expect(index.candidates(query(["dam"], 1999)).length).toBe(10);
    expect(index.candidates(query(["t1999"], 1999)).map((each) => each.id)).toEqual(["e1999"]);
  });

  it("holds every event without a window, and forgets the newest time on clear", () => {
    const index = new EventIndex();
    index.upsert(event("a", 0, ["dam"]));
    index.upsert(event("b", 1000, ["dam"]));
    expect(index.size).toBe(2);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.newest).toBe(Number.NEGATIVE_INFINITY);
    index.upsert(event("c", 0, ["dam"]));
    expect(index.newest).toBe(T0);
  });

  it("drops an event whose date cannot be read once the window moves (it could never be a candidate)", () => {
    const index = new EventIndex(WINDOW);
    index.upsert({ ...event("broken", 0, ["dam"]), lastSeen: "not a date" });
    index.upsert(event("a", 0, ["dam"]));
    expect(index.events.has("broken")).toBe(false);
  });
});

describe("the index's floor", () => {
  it("keeps the newest `minEvents` however old, dropping the oldest first", () => {
    const index = new EventIndex(WINDOW, 3);
    for (const day of [0, 1, 2, 3]) index.upsert(event(`e${day}`, day, ["dam"]));
    index.upsert(event("far", 500, ["port"]));
    expect([...index.events.keys()].sort()).toEqual(["e2", "e3", "far"]);
    // Past the floor, the window rules again.
    for (const day of [501, 502, 503]) index.upsert(event(`n${day}`, day, ["ship"]));
    expect([...index.events.keys()].sort()).toEqual(["far", "n501", "n502", "n503"]);
    // Out of the window, they weigh terms but are never candidates.
    expect(index.candidates(query(["dam"], 503))).toEqual([]);
  });
});

describe("a theme's matcher", () => {
  it("holds the model's window of events and the newest few hundred, and offers only the window", () => {
    const matcher = createThemeMatcher(DEFAULT_THEMES[0] as ThemeDefinition);
    expect(matcher.index.windowMs).toBe(SHIPPED_MODEL.windowDays * DAY);
    expect(matcher.index.minEvents).toBe(INDEX_WINDOW.minEvents);
    const text = "Syrian Democratic Forces captured the Tabqa dam on the Euphrates after Islamic State militants withdrew.";
    const input = (id: string, day: number) => ({
      id,
      sourceId: "s",
      title: `Dam captured ${id}`,
      text,
      summary: text,
      publishedAt: at(day),
      dated: true,
      contentHash: id,
    });
    const first = importIntoEvent(matcher, input("first", 0), null);
    expect(matcher.index.events.has(first.id)).toBe(true);
    const later = matchInMemory(matcher, input("later", SHIPPED_MODEL.windowDays + 1));
    expect(later.explanation.decision).toBe("new-event");
    expect([...matcher.index.events.keys()]).toEqual([first.id, later.event?.id]);
  });
});
