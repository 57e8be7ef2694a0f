import {
  BUILTIN_THEMES,
  createThemeMatcher,
  type DecisionProfile,
  type EntityType,
  LEAD_MIN_WEIGHT,
  leadName,
  leadsDiffer,
  type MatcherModel,
  type MatchInput,
  matchInMemory,
  namedWeight,
  SHIPPED_MODEL,
  SIGNAL_NAMES,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { matchInput } from "../support/match-input";

type Entities = Map<string, { type: EntityType; weight: number }>;

function entities(weights: Record<string, number>): Entities {
  return new Map(Object.entries(weights).map(([key, weight]) => [key, { type: "other" as EntityType, weight }]));
}

/** Names every story carries are common (low IDF); a ship's or a city's name is rare. */
const COMMON = new Set(["houthis", "red-sea", "yemen", "israel"]);
const idf = (key: string) => (COMMON.has(key) ? 0.7 : 2.5);

describe("a report's and an event's leading names", () => {
  it("leads with the rare name it carries most, not the group every story names", () => {
    expect(leadName(entities({ houthis: 0.6, "red-sea": 0.5, "silver heron": 0.45 }), idf)).toBe("silver heron");
    expect(leadName(new Map(), idf)).toBeNull();
  });

  it("tells apart a report and an event that each name the other's lead at most in passing", () => {
    const event = entities({ houthis: 0.5, "red-sea": 0.4, "northern lark": 0.45 });
    const report = entities({ houthis: 0.5, "red-sea": 0.4, "silver heron": 0.45, "northern lark": 0.1 });
    expect(leadsDiffer(report, event, idf)).toBe(true);
  });

  it("does not when the report names the event's lead as strongly as its own", () => {
    const event = entities({ houthis: 0.5, "northern lark": 0.45 });
    const report = entities({ houthis: 0.5, "silver heron": 0.45, "northern lark": 0.3 });
    expect(leadsDiffer(report, event, idf)).toBe(false);
  });

  it("reads a longer or shorter form of a name as that name", () => {
    const event = entities({ houthis: 0.5, "northern lark": 0.45 });
    const report = entities({ houthis: 0.5, "mv northern lark": 0.45, ambrey: 0.2 });
    expect(namedWeight(report, "northern lark")).toBeCloseTo(0.45);
    expect(leadsDiffer(report, event, idf)).toBe(false);
  });

  it("does not when either side's lead is only one of many names", () => {
    const event = entities({ houthis: 0.5, "northern lark": 0.45 });
    const report = entities({ houthis: 0.5, "silver heron": LEAD_MIN_WEIGHT - 0.05 });
    expect(leadsDiffer(report, event, idf)).toBe(false);
  });
});

const theme = BUILTIN_THEMES.find((candidate) => candidate.id === "yemen-red-sea") as ThemeDefinition;

/** A model that would join any two reports of one sea; `close` is its follow-up (close match) threshold. */
function seaOnlyModel(close: number): MatcherModel {
  const weights = Object.fromEntries(SIGNAL_NAMES.map((name) => [name, 0])) as DecisionProfile["weights"];
  const profile: DecisionProfile = {
    bias: 0,
    weights: { ...weights, entityPlace: 4 },
    attachThreshold: 0.2,
    followUpThreshold: close,
  };
  const lengths = { full: profile, summary: profile, titleOnly: profile };
  return { ...SHIPPED_MODEL, dated: lengths, undated: lengths };
}

/** Stories of months before: the group, the country and the sea are every story's names, not one ship's. */
const EARLIER = [
  matchInput(
    "prisoners",
    "2025-10-01T10:00:00Z",
    "Houthis and Yemen government swap prisoners",
    "The Houthis and the government of Yemen exchanged hundreds of prisoners, the Red Sea port officials said.",
  ),
  matchInput(
    "truce",
    "2025-11-15T10:00:00Z",
    "Houthis extend truce in Yemen",
    "The Houthis agreed to extend the truce in Yemen and to keep shipping in the Red Sea open.",
  ),
];

/** A matcher of `seaOnlyModel(close)` that has matched the stories of months before; `decide` matches one more report. */
function afterEarlierStories(close: number) {
  const matcher = createThemeMatcher(theme, seaOnlyModel(close));
  for (const story of EARLIER) matchInMemory(matcher, story);
  return (report: MatchInput) => matchInMemory(matcher, report).explanation;
}

/** A full report (more distinct terms than a feed summary has): its lead sentence, then the common background. */
function fullReport(id: string, publishedAt: string, title: string, lead: string): MatchInput {
  return matchInput(id, publishedAt, title, `${lead} ${BACKGROUND}`);
}

const BACKGROUND =
  "Shipping companies have rerouted vessels around the Cape of Good Hope for months, adding weeks to voyages between Asia and Europe. " +
  "Insurers raised war-risk premiums again, and naval patrols said they would escort merchant traffic through the southern approaches. " +
  "Analysts warned that freight rates, fuel costs and delivery times would climb further if commercial operators kept avoiding the route. " +
  "The group says its campaign will continue until its demands are met, while diplomats in several capitals urged restraint and talks.";

const FIRST_SHIP = fullReport(
  "first-ship",
  "2026-03-02T10:00:00Z",
  "Houthis attack bulk carrier Northern Lark in Red Sea",
  "Houthi fighters attacked the bulk carrier Northern Lark with drones and small boats in the Red Sea off Yemen. The crew of the Northern Lark abandoned the ship and were rescued. The Northern Lark was carrying fertiliser.",
);
const SECOND_SHIP_LEAD =
  "Two sailors on the bulk carrier Silver Heron were killed when Houthi drones struck the Silver Heron in the Red Sea off Yemen, a day after another ship was attacked. The Silver Heron is drifting and on fire.";
const SECOND_SHIP = fullReport(
  "second-ship",
  "2026-03-03T09:00:00Z",
  "Houthi drones kill two crew on bulk carrier in Red Sea",
  SECOND_SHIP_LEAD,
);
const FIRST_SINKS = fullReport(
  "first-sinks",
  "2026-03-03T12:00:00Z",
  "Northern Lark sinks in Red Sea after Houthi attack",
  "The bulk carrier Northern Lark, attacked by the Houthis in the Red Sea off Yemen, has sunk, its operator said. The crew of the Northern Lark had abandoned the ship and were rescued.",
);

describe("sibling happenings", () => {
  it("opens a new event for a report of another ship, and joins a follow-up to its own ship", () => {
    const decide = afterEarlierStories(0.99);
    const first = decide(FIRST_SHIP);
    const second = decide(SECOND_SHIP);
    // The model alone would have joined it: the first ship's event is the runner-up, turned down.
    expect(second.runnerUp?.eventId).toBe(first.eventId);
    expect(second.runnerUp?.probability).toBeGreaterThan(0.2);
    expect(second.decision).toBe("new-event");
    const sinks = decide(FIRST_SINKS);
    expect(sinks.decision).toBe("attached");
    expect(sinks.eventId).toBe(first.eventId);
  });

  it("still joins a report whose leading name differs when the model finds it a close match", () => {
    const decide = afterEarlierStories(0.5);
    const first = decide(FIRST_SHIP);
    const second = decide(SECOND_SHIP);
    expect(second.decision).toBe("attached");
    expect(second.eventId).toBe(first.eventId);
  });

  it("does not tell a feed summary apart by its names: it names too few to lead with one", () => {
    const decide = afterEarlierStories(0.99);
    const first = decide(FIRST_SHIP);
    const summary = decide(
      matchInput(
        "second-summary",
        "2026-03-03T09:00:00Z",
        "Houthi drones kill two crew on bulk carrier in Red Sea",
        SECOND_SHIP_LEAD,
      ),
    );
    expect(summary.decision).toBe("attached");
    expect(summary.eventId).toBe(first.eventId);
  });
});
