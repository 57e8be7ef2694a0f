import {
  addToGrowth,
  createThemeMatcher,
  DEFAULT_THEMES,
  type EventGrowth,
  type EventState,
  GROWTH_LIMITS,
  growthAxis,
  growthOfMembers,
  growthSeries,
  importIntoEvent,
  MAX_BINS,
  type MatchInput,
  seededRandom,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { matchInput } from "../support/match-input";

/** The growth of articles published at `times`, added in that order (the first report is the earliest so far). */
function grow(times: readonly string[]): EventGrowth | undefined {
  let growth: EventGrowth | undefined;
  let first: string | null = null;
  for (const time of times) {
    first = first === null || Date.parse(time) < Date.parse(first) ? time : first;
    growth = addToGrowth(growth, time, first);
  }
  return growth;
}

const hoursAfter = (start: string, hours: number) => new Date(Date.parse(start) + hours * 3_600_000).toISOString();
const START = "2026-05-01T08:20:00Z";

describe("an event's growth", () => {
  it("counts articles per UTC hour over the first two days and per UTC day throughout", () => {
    const growth = grow([START, hoursAfter(START, 0.5), hoursAfter(START, 3), hoursAfter(START, 47.5), hoursAfter(START, 48)]);
    // 47.5 hours after 08:20 is 07:50 two days on: still the window's last hour (08:00 to 08:00).
    expect(growth?.hours).toEqual({ "2026-05-01T08": 2, "2026-05-01T11": 1, "2026-05-03T07": 1 });
    expect(growth?.days).toEqual({ "2026-05-01": 3, "2026-05-03": 2 });
  });

  it("is the same whatever order the articles come in (a rebuild replays them in any order)", () => {
    const times = [0, 1, 1, 5, 30, 47, 49, 70, 200, 200.5, -3].map((hours) => hoursAfter(START, hours));
    const expected = grow([...times].sort());
    const random = seededRandom(7);
    for (let round = 0; round < 20; round++) {
      const shuffled = [...times].sort(() => random() - 0.5);
      expect(grow(shuffled)).toEqual(expected);
    }
    // A first report three hours earlier moves the hourly window back: 47 hours after START is now outside it.
    expect(expected?.hours).toEqual({
      "2026-05-01T05": 1,
      "2026-05-01T08": 1,
      "2026-05-01T09": 2,
      "2026-05-01T13": 1,
      "2026-05-02T14": 1,
    });
    expect(Object.values(expected?.days ?? {}).reduce((a, b) => a + b)).toBe(times.length);
  });

  it(`keeps at most ${GROWTH_LIMITS.days} days, the latest, and ${GROWTH_LIMITS.hours} hours`, () => {
    const times = Array.from({ length: 400 }, (_, day) => hoursAfter(START, day * 24));
    const growth = grow(times) as EventGrowth;
    expect(Object.keys(growth.days)).toHaveLength(GROWTH_LIMITS.days);
    expect(Object.keys(growth.days).sort()[0]).toBe(times[400 - GROWTH_LIMITS.days]?.slice(0, 10));
    // Reversed, the oldest day comes last and is the one let go.
    expect(grow([...times].reverse())).toEqual(growth);
    const hourly = grow(Array.from({ length: 100 }, (_, hour) => hoursAfter(START, hour))) as EventGrowth;
    expect(Object.keys(hourly.hours)).toHaveLength(GROWTH_LIMITS.hours);
  });

  it("leaves the growth as it was for a time that does not parse", () => {
    const growth = grow([START]);
    expect(addToGrowth(growth, "not a date", START)).toEqual(growth);
  });

  it("is given by the members of an event stored before it was kept, only when they are all its articles", () => {
    const members = [START, hoursAfter(START, 2)].map((publishedAt) => ({ publishedAt }));
    expect(growthOfMembers({ articleCount: 2, firstSeen: START, members })).toEqual(grow([START, hoursAfter(START, 2)]));
    expect(growthOfMembers({ articleCount: 70, firstSeen: START, members })).toBeUndefined();
  });
});

describe("the matcher keeps the growth", () => {
  const theme = DEFAULT_THEMES[0] as ThemeDefinition;
  const article = (id: string, publishedAt: string): MatchInput =>
    matchInput(
      id,
      publishedAt,
      `Fighters seize the Tabqa dam ${id}`,
      "Syrian Democratic Forces captured the Tabqa dam on the Euphrates after Islamic State militants withdrew.",
    );

  it("counts every article it adds, a late earlier one too", () => {
    const matcher = createThemeMatcher(theme);
    let event = importIntoEvent(matcher, article("a", START), null);
    for (const [id, hours] of [
      ["b", 1],
      ["c", 30],
      ["d", 72],
      ["e", -2],
    ] as const)
      event = importIntoEvent(matcher, article(id, hoursAfter(START, hours)), event.id);
    expect(event.articleCount).toBe(5);
    expect(event.growth).toEqual(grow([0, 1, 30, 72, -2].map((hours) => hoursAfter(START, hours))));
  });

  it("starts an event stored before growth was kept from its members when they are all its articles, else keeps none", () => {
    const matcher = createThemeMatcher(theme);
    const first = importIntoEvent(matcher, article("a", START), null);
    const { growth: _complete, ...legacy } = first;
    matcher.index.upsert(legacy);
    const grown = importIntoEvent(matcher, article("b", hoursAfter(START, 1)), first.id);
    expect(grown.growth).toEqual(grow([START, hoursAfter(START, 1)]));

    const { growth: _partial, ...partial } = grown;
    matcher.index.upsert({ ...partial, articleCount: 90 });
    expect(importIntoEvent(matcher, article("c", hoursAfter(START, 2)), first.id).growth).toBeUndefined();
  });
});

/** An event with only what a picture reads: its growth from articles at `times`. */
function eventAt(times: readonly string[]): Pick<EventState, "growth" | "articleCount" | "firstSeen" | "members"> {
  return { growth: grow(times), articleCount: times.length, firstSeen: [...times].sort()[0] as string, members: [] };
}

describe("the growth as bars", () => {
  it("draws hours while every article is in the first two days, empty hours included", () => {
    const series = growthSeries(eventAt([START, hoursAfter(START, 0.2), hoursAfter(START, 3)]));
    expect(series?.unit).toBe("hour");
    expect(series?.bins.map((bin) => bin.count)).toEqual([2, 0, 0, 1]);
    expect(series?.bins[0]?.start).toBe("2026-05-01T08:00:00.000Z");
    expect(series?.label).toBe("3 articles over 4 hours, most at 08:00 UTC on 1 May (2)");
    expect(growthAxis(series as NonNullable<typeof series>)).toEqual({ from: "1 May 08:00", to: "1 May 12:00 UTC", per: "hour" });
  });

  it("draws days once the story runs past two days, and says which day was busiest", () => {
    const times = [START, hoursAfter(START, 1), hoursAfter(START, 100), hoursAfter(START, 101), hoursAfter(START, 102)];
    const series = growthSeries(eventAt(times));
    expect(series?.unit).toBe("day");
    expect(series?.bins.map((bin) => bin.count)).toEqual([2, 0, 0, 0, 3]);
    expect(series?.label).toBe("5 articles over 5 days, most on Tuesday 5 May 2026 (3)");
    expect(growthAxis(series as NonNullable<typeof series>)).toEqual({ from: "1 May", to: "5 May", per: "day" });
  });

  it(`groups days so a long story keeps at most ${MAX_BINS} bars`, () => {
    const times = Array.from({ length: 200 }, (_, day) => hoursAfter(START, day * 24));
    const series = growthSeries(eventAt(times));
    expect(series?.width).toBe(3);
    expect(series?.bins.length).toBeLessThanOrEqual(MAX_BINS);
    expect(series?.bins.reduce((total, bin) => total + bin.count, 0)).toBe(200);
    expect(series?.label).toBe("200 articles over 201 days, at most 3 in 3 days");
  });

  it.each([
    [[START], "1 article, at 08:00 UTC on 1 May"],
    [[START, START], "2 articles, all at 08:00 UTC on 1 May"],
    [[START, hoursAfter(START, 5)], "2 articles over 6 hours, at most 1 an hour"],
  ])("says %j as %j", (times, label) => {
    expect(growthSeries(eventAt(times))?.label).toBe(label);
  });

  it("has nothing to draw for an event stored before growth whose members are only its latest", () => {
    const members = [{ publishedAt: START } as EventState["members"][number]];
    expect(growthSeries({ articleCount: 80, firstSeen: START, members })).toBeNull();
    // Its members, when they are all its articles, draw it.
    expect(growthSeries({ articleCount: 1, firstSeen: START, members })?.total).toBe(1);
  });
});
