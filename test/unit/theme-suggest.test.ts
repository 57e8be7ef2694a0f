import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  compileTheme,
  contentTerms,
  extractFeatures,
  fitThemeThresholds,
  groupNames,
  logOddsRatio,
  namesAlike,
  parseTheme,
  scoreTheme,
  suggestTheme,
  writtenForms,
} from "@eventwire/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runThemesSuggest } from "../../functions/themes-suggest";
import { THEME_EXAMPLES } from "../fixtures/theme-examples";

const suggestion = suggestTheme(THEME_EXAMPLES);
const entity = (alias: string) =>
  suggestion.theme.entities.find((item) => item.aliases.some((written) => written.toLowerCase() === alias.toLowerCase()));
const term = (word: string) => suggestion.theme.terms.find((item) => item.term === word);

describe("themes suggest: what it proposes", () => {
  it("suggests the file's most common theme other than off, and a file the theme schema accepts", () => {
    expect(suggestion.theme.id).toBe("korvia");
    expect(suggestion).toMatchObject({ onTheme: 13, offTheme: 20 });
    expect(() => parseTheme(JSON.parse(JSON.stringify(suggestion.theme)), "suggested")).not.toThrow();
  });

  it("proposes the theme's names with their variants as aliases, an acronym in capitals", () => {
    expect(entity("Zandori")?.aliases).toEqual(expect.arrayContaining(["Zandori", "Zandoris"]));
    expect(entity("Korvia")?.aliases).toEqual(expect.arrayContaining(["Korvia", "Korvian"]));
    expect(entity("ZLF")?.aliases).toContain("ZLF");
    expect(entity("Zandori")?.weight).toBeGreaterThan(0);
  });

  it("writes terms as words the scorer reads as the stems it counted, theme words as anchors", () => {
    const blockade = term("blockade");
    expect(blockade).toBeDefined();
    expect(blockade?.supporting).toBeUndefined();
    for (const { term: word } of suggestion.theme.terms) expect(contentTerms(word)).toHaveLength(1);
    // Names are entities, not terms.
    expect(suggestion.theme.terms.map((item) => item.term)).not.toContain("zandori");
  });

  it("marks a word common to both sides supporting, and drops one more common off-theme", () => {
    expect(suggestion.items.find((item) => item.name === "rebels")).toMatchObject({ role: "supporting" });
    expect(suggestion.theme.terms.find((item) => contentTerms(item.term)[0] === "rebel")?.supporting).toBe(true);
    expect(suggestion.theme.terms.find((item) => contentTerms(item.term)[0] === "attack")).toBeUndefined();
  });

  it("leaves out names seen in one event's reports only, and lists them for review", () => {
    expect(entity("Silver Heron")).toBeUndefined();
    expect(suggestion.oneEvent.map((item) => item.name)).toContain("silver heron");
  });

  it("proposes the neighbouring story's actors as counter-evidence (negative weight)", () => {
    expect(entity("Velstrom Brigade")?.weight).toBeLessThan(0);
    expect(suggestion.items.find((item) => item.aliases.includes("Velstrom Brigade"))?.role).toBe("counter");
  });

  it("proposes a threshold that separates the examples with the proposed file", () => {
    const { threshold, followUpThreshold } = suggestion.theme;
    expect(followUpThreshold).toBeLessThanOrEqual(threshold);
    expect(suggestion.separation.f1).toBe(1);
    const compiled = compileTheme(suggestion.theme);
    const onTheme = THEME_EXAMPLES.map(
      (example) => scoreTheme(compiled, extractFeatures(example.title, example.text, compiled.dictionary)).onTheme,
    );
    expect(onTheme).toEqual(THEME_EXAMPLES.map((example) => example.theme === "korvia"));
  });
});

describe("themes suggest: errors", () => {
  it("needs on-theme and off-theme examples", () => {
    const off = THEME_EXAMPLES.filter((example) => example.theme === "off");
    expect(() => suggestTheme(off)).toThrow(/no on-theme examples/);
    expect(() => suggestTheme(THEME_EXAMPLES, { id: "elsewhere" })).toThrow(/no example has the theme "elsewhere"/);
    expect(() => suggestTheme(THEME_EXAMPLES.filter((example) => example.theme !== "off"))).toThrow(/no off-theme/);
  });
});

describe("the statistic and the parts", () => {
  it.each([
    // counts on/off, totals on/off: sign, and a z that grows with the evidence.
    [{ on: 10, off: 0 }, { on: 20, off: 20 }, 1],
    [{ on: 0, off: 10 }, { on: 20, off: 20 }, -1],
    [{ on: 5, off: 5 }, { on: 20, off: 20 }, 0],
  ])("log-odds ratio of %o over %o has sign %d", (counts, totals, sign) => {
    const { logOdds, z } = logOddsRatio(counts, totals, 10);
    expect(Math.sign(Math.round(logOdds * 1000))).toBe(sign);
    expect(Math.sign(Math.round(z * 1000))).toBe(sign);
  });

  it("trusts a word seen often more than one seen twice at the same rates", () => {
    const few = logOddsRatio({ on: 2, off: 0 }, { on: 4, off: 4 }, 10);
    const many = logOddsRatio({ on: 50, off: 0 }, { on: 100, off: 100 }, 10);
    expect(many.z).toBeGreaterThan(few.z);
  });

  it.each([
    ["houthi", "houthis", true],
    ["yemen", "yemeni", true],
    ["hodeida", "hodeidah", true],
    ["donald trump", "trump", true],
    ["iran", "iraq", false],
    ["abdul malik al houthi", "houthi", false],
    ["gaza", "gazprom", false],
    ["middle east", "easter", false],
  ])("names %s and %s are one entity: %s", (a, b, alike) => {
    expect(namesAlike(a, b)).toBe(alike);
  });

  it("groups names led by the most named, and finds how each is written", () => {
    const docs = new Map([
      ["houthis", new Set([1, 2, 3])],
      ["houthi", new Set([1])],
      ["un", new Set([2, 3])],
    ]);
    expect(groupNames(docs)).toEqual([["houthis", "houthi"], ["un"]]);
    expect(writtenForms(["un", "houthis"], ["The UN said the Houthis agreed.", "UN envoy"])).toEqual(
      new Map([
        ["un", "UN"],
        ["houthis", "Houthis"],
      ]),
    );
  });

  it("fits the threshold in the widest gap of the best F1, and a follow-up threshold most off-theme examples fall below", () => {
    const scored = [
      { score: 0.9, anchored: true, on: true },
      { score: 0.8, anchored: true, on: true },
      { score: 0.7, anchored: true, on: true },
      { score: 0.3, anchored: true, on: false },
      { score: 0.2, anchored: false, on: false },
    ];
    const fit = fitThemeThresholds(scored);
    expect(fit.threshold).toBe(0.5);
    expect(fit.separation.f1).toBe(1);
    // Nine in ten off-theme examples score below it: above 0.3 here, on the next step of 0.05.
    expect(fit.followUpThreshold).toBe(0.35);
    const quiet = [...scored.slice(0, 3), ...Array.from({ length: 9 }, () => ({ score: 0.02, anchored: false, on: false }))];
    quiet.push({ score: 0.3, anchored: true, on: false });
    expect(fitThemeThresholds(quiet).followUpThreshold).toBe(0.05);
  });
});

describe("themes suggest (the command)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("needs --from, and names a file it cannot read", () => {
    expect(() => runThemesSuggest([])).toThrow(/themes suggest needs --from FILE/);
    expect(() => runThemesSuggest(["--from", "/nonexistent/labelled.jsonl"])).toThrow(
      /cannot read \/nonexistent\/labelled.jsonl/,
    );
    expect(() => runThemesSuggest(["--from", "/nonexistent/x.jsonl", "--min-events", "0"])).toThrow(/whole number/);
  });

  it("writes the proposed file and prints what to review on stderr", () => {
    const dir = mkdtempSync(join(tmpdir(), "eventwire-suggest-"));
    const from = join(dir, "labelled.jsonl");
    const rows = THEME_EXAMPLES.map((example, index) => ({
      id: `x-${index}`,
      source: "example.org",
      published: "2030-01-01",
      title: example.title,
      text: example.text,
      event: example.event ?? null,
      theme: example.theme,
    }));
    writeFileSync(from, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const out = join(dir, "theme.json");
    let stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    expect(runThemesSuggest(["--from", from, "--out", out])).toBe(0);
    const theme = parseTheme(JSON.parse(readFileSync(out, "utf8")), out);
    expect(theme.id).toBe("korvia");
    expect(stderr).toMatch(/13 on-theme and 20 off-theme examples/);
    expect(stderr).toMatch(/Remove names of particular events/);
    expect(stderr).toMatch(/name silver heron \(4\/13\)/);
  });
});
