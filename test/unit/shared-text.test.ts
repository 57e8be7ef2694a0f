import {
  createThemeMatcher,
  DEFAULT_THEMES,
  type DecisionProfile,
  type MatcherModel,
  type MatchInput,
  MIN_SHARED_TEXT,
  matchInMemory,
  SHIPPED_MODEL,
  SIGNAL_NAMES,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { matchInput } from "../support/match-input";

const theme = DEFAULT_THEMES[0] as ThemeDefinition;

function article(id: string, title: string, text: string): MatchInput {
  return matchInput(id, "2026-03-02T10:00:00Z", title, text);
}

/** A model that would join any two reports naming one place: only the floor on shared words stops it. */
function placeOnlyModel(): MatcherModel {
  const weights = Object.fromEntries(SIGNAL_NAMES.map((name) => [name, 0])) as DecisionProfile["weights"];
  const profile: DecisionProfile = {
    bias: 0,
    weights: { ...weights, entityPlace: 10 },
    attachThreshold: 0.2,
    followUpThreshold: 0.5,
  };
  const lengths = { full: profile, summary: profile, titleOnly: profile };
  return { ...SHIPPED_MODEL, dated: lengths, undated: lengths };
}

const AMBUSH = article(
  "ambush",
  "Gunmen ambush army bus near Palmyra",
  "Islamic State gunmen attacked a bus carrying soldiers on the desert road near Palmyra in Syria, killing twelve.",
);
const DONORS = article(
  "donors",
  "Donors pledge billions at Brussels conference",
  "Governments promised more money for humanitarian aid to Syrians displaced by the war against ISIS at a meeting in Brussels on Tuesday.",
);
const FUNERALS = article(
  "funerals",
  "Funerals for soldiers killed in Palmyra bus ambush",
  "Families buried soldiers killed when Islamic State gunmen ambushed their bus near Palmyra in Syria.",
);

describe("the floor on shared words", () => {
  it("keeps a report that shares only a place with an event out of it, whatever the model says", () => {
    const matcher = createThemeMatcher(theme, placeOnlyModel());
    const opened = matchInMemory(matcher, AMBUSH).explanation;
    expect(opened.decision).toBe("new-event");
    const donors = matchInMemory(matcher, DONORS).explanation;
    // The model alone would have joined them: the event is the runner-up, turned down.
    expect(donors.runnerUp?.eventId).toBe(opened.eventId);
    expect(donors.runnerUp?.probability).toBeGreaterThan(0.2);
    const signals = donors.signals as NonNullable<typeof donors.signals>;
    expect(signals.entityPlace).toBeGreaterThan(0);
    expect(Math.max(signals.titleCos, signals.bodyCos, signals.titleBodyCos)).toBeLessThan(MIN_SHARED_TEXT);
    expect(donors.decision).toBe("new-event");
    expect(donors.eventId).not.toBe(opened.eventId);
  });

  it("lets a report that says the same things join", () => {
    const matcher = createThemeMatcher(theme, placeOnlyModel());
    const opened = matchInMemory(matcher, AMBUSH).explanation;
    const funerals = matchInMemory(matcher, FUNERALS).explanation;
    expect(funerals.decision).toBe("attached");
    expect(funerals.eventId).toBe(opened.eventId);
  });
});
