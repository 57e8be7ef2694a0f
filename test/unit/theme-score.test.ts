import {
  BUILTIN_THEMES,
  compileTheme,
  DEFAULT_THEMES,
  extractFeatures,
  findTheme,
  parseTheme,
  poolEvidence,
  scoreEvidence,
  scoreTheme,
  type ThemeDefinition,
  themeEvidence,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const theme = compileTheme(DEFAULT_THEMES[0] as ThemeDefinition);
const score = (title: string, body: string) => scoreTheme(theme, extractFeatures(title, body, theme.dictionary));

describe("the isis-syria theme filter", () => {
  it("puts a report on the group in Syria on-theme, with the evidence that carried it", () => {
    const result = score(
      "ISIL fighters ambush convoy near Raqqa",
      "Fighters of the Islamic State group ambushed an army convoy east of Raqqa in Syria, killing nine soldiers.",
    );
    expect(result.onTheme).toBe(true);
    expect(result.score).toBeGreaterThan(0.8);
    expect(result.evidence.map((entry) => entry.name)).toEqual(expect.arrayContaining(["isis", "raqqa", "syria"]));
  });

  it("keeps unrelated news out with a score of zero", () => {
    const result = score("Home side wins cup final on penalties", "The goalkeeper saved two spot kicks as fans celebrated.");
    expect(result).toMatchObject({ score: 0, onTheme: false, evidence: [] });
  });

  it("weighs a mention in the title more than one in the body", () => {
    const inTitle = score("Syria talks resume", "Delegates met again on Tuesday.");
    const inBody = score("Talks resume", "Delegates on Syria met again on Tuesday.");
    expect(inTitle.score).toBeGreaterThan(inBody.score);
  });

  it("does not read the English verb 'is' as the group", () => {
    expect(score("Weather", "It is cold and it is raining.").score).toBe(0);
  });
});

describe("the theme filter, hostile and awkward text", () => {
  it("does not read an all-capitals IS as the group", () => {
    expect(score("THIS IS WHY BITCOIN IS FALLING", "Prices slid on Tuesday as traders sold.").score).toBe(0);
    expect(score("IS FIGHTERS SEIZE TOWN", "Islamic State fighters seized the town in Syria.").onTheme).toBe(true);
  });

  it("counts a title mention once, as a title mention", () => {
    const titleOnly = score("Syria", "Nothing else.");
    const alsoInBody = score("Syria", "Talks on Syria.");
    // Only the body mention adds to the title's.
    expect(alsoInBody.score).toBeGreaterThan(titleOnly.score);
    expect(titleOnly.evidence).toEqual([{ name: "syria", weight: 5 }]);
  });

  it("reads a zero-weight entity's names as one entity, with no say in the theme score", () => {
    const turkey = score("Türkiye reopens border crossing", "Turkish officials said trucks crossed into Turkey again.");
    expect(turkey).toMatchObject({ score: 0, onTheme: false, evidence: [] });
    const features = extractFeatures(
      "Türkiye reopens border crossing",
      "Turkish officials said trucks crossed into Turkey again.",
      theme.dictionary,
    );
    expect(features.entities.get("turkey")).toEqual({ type: "place", count: 3 });
  });
});

describe("what ties a report to the theme", () => {
  it("never puts a report on-theme on supporting words alone, however many", () => {
    const result = score(
      "Terror attack: beheading in church, terrorist shot",
      "The terror attack, a beheading, was called terrorism; the terrorist and two extremist accomplices were militants, police said. Terror, terror.",
    );
    expect(result.score).toBeGreaterThan(theme.definition.threshold);
    expect(result).toMatchObject({ onTheme: false, anchored: false });
  });

  it("puts the same report on-theme once it names the group", () => {
    const result = score(
      "Terror attack: beheading in church, terrorist shot",
      "The Islamic State group claimed the terror attack, a beheading; the terrorist was shot.",
    );
    expect(result).toMatchObject({ onTheme: true, anchored: true });
  });

  it("reads a group's acronym of three letters or more in a clause written in capitals", () => {
    const result = score("London terrorist attack: ISIS", "Police said the attackers were shot.");
    expect(result.evidence.map((entry) => entry.name)).toContain("isis");
    expect(result.onTheme).toBe(true);
  });
});

describe("pooled story evidence", () => {
  it("counts each name once with its strongest value, and is anchored when any report is", () => {
    const reports = [
      ["Blasts hit churches and hotels", "Terror attack kills dozens; a terror cell is suspected."],
      ["Death toll rises", "Police identified the terror suspects."],
      ["A new brand of terror", "The Islamic State group said its fighters carried out the attack."],
    ].map(([title, body]) => themeEvidence(theme, extractFeatures(title as string, body as string, theme.dictionary)));
    const pooled = poolEvidence(reports);
    expect(pooled.anchors).toEqual(new Set(["isis"]));
    expect(pooled.values.get("terror")).toBe(Math.max(...reports.map((report) => report.values.get("terror") ?? 0)));
    expect(scoreEvidence(theme, poolEvidence(reports.slice(0, 2))).onTheme).toBe(false);
  });
});

describe("counter-evidence: a neighbouring story's actors, with a negative weight", () => {
  const neighbour = compileTheme(
    parseTheme(
      {
        ...DEFAULT_THEMES[0],
        entities: [
          ...(DEFAULT_THEMES[0] as ThemeDefinition).entities,
          { id: "velstrom", type: "org", weight: -3, aliases: ["Velstrom Brigade", "Velstrom"] },
        ],
      },
      "neighbour",
    ),
  );
  const scoreWith = (title: string, body: string) => scoreTheme(neighbour, extractFeatures(title, body, neighbour.dictionary));

  it("is a weight the theme schema accepts", () => {
    expect(neighbour.entityWeights.get("velstrom")).toBe(-3);
  });

  it("keeps out a report centred on the other story, though it names the theme in passing", () => {
    const title = "US strikes Velstrom Brigade targets";
    const body =
      "US jets struck Velstrom Brigade depots overnight. The Velstrom fighters vowed revenge. The US also struck Islamic State targets in Syria last year, when Islamic State cells regrouped.";
    // Without the counter-evidence the passing mention is enough.
    expect(score(title, body).onTheme).toBe(true);
    const result = scoreWith(title, body);
    expect(result).toMatchObject({ onTheme: false, score: 0 });
    expect(result.evidence[0]).toMatchObject({ name: "velstrom" });
    expect(result.evidence[0]?.weight).toBeLessThan(0);
  });

  it("leaves on-theme a report of the theme that names the other story in passing", () => {
    const result = scoreWith(
      "Islamic State fighters attack Raqqa checkpoint",
      "Islamic State fighters attacked a checkpoint near Raqqa in Syria; officials compared the raid to those of the Velstrom Brigade.",
    );
    expect(result.onTheme).toBe(true);
    expect(result.anchored).toBe(true);
  });

  it("never anchors a report, and pools with its strongest (most negative) value", () => {
    const passing = themeEvidence(
      neighbour,
      extractFeatures("Talks", "The Velstrom Brigade sent a delegate.", neighbour.dictionary),
    );
    expect(passing.anchors.size).toBe(0);
    const centred = themeEvidence(
      neighbour,
      extractFeatures("Velstrom Brigade claims attack", "The Velstrom Brigade said it attacked.", neighbour.dictionary),
    );
    const pooled = poolEvidence([passing, centred]);
    expect(pooled.values.get("velstrom")).toBe(centred.values.get("velstrom"));
    expect(pooled.values.get("velstrom")).toBeLessThan(passing.values.get("velstrom") as number);
  });
});

describe("the two shipped themes keep out each other's news", () => {
  const yemen = compileTheme(findTheme(BUILTIN_THEMES, "yemen-red-sea") as ThemeDefinition);
  const isis = compileTheme(findTheme(BUILTIN_THEMES, "isis-syria") as ThemeDefinition);
  const both = (title: string, body: string) =>
    [yemen, isis].map((compiled) => scoreTheme(compiled, extractFeatures(title, body, compiled.dictionary)).onTheme);

  it.each([
    [
      "US strikes on the Houthis",
      "US strikes hit Houthi targets in Yemen",
      "American jets struck Houthi radar sites near Hodeidah overnight. The Houthis said they would keep attacking ships in the Red Sea. The US has also struck Islamic State cells this year.",
      [true, false],
    ],
    [
      "US strikes on the Islamic State",
      "US strikes Islamic State camps in Syria",
      "American jets struck Islamic State camps in the Syrian desert near Palmyra. Officials said the strikes were unrelated to the campaign against the Houthis.",
      [false, true],
    ],
    [
      "a ship attacked in the Red Sea",
      "Houthis claim missile attack on tanker",
      "The Houthis said their missiles hit a tanker in the Red Sea.",
      [true, false],
    ],
    [
      "an unrelated ship accident",
      "Container ship runs aground in fog",
      "A container ship ran aground in fog; the crew were safe and the port reopened.",
      [false, false],
    ],
  ])("%s: on-theme for yemen-red-sea, isis-syria as expected", (_name, title, body, expected) => {
    expect(both(title, body)).toEqual(expected);
  });
});
