import { beforeAll, describe, expect, it } from "vitest";
import { EXEMPT, RSS_PARSER_DELIBERATE, type RssParserOutcome, runRssParserCorpus } from "./rss-parser-run";

// rss-parser's own inputs (../shared/peer-feeds/rss-parser/test/input) read through the product,
// compared with the items rss-parser's test/output lists: the same items, titles and links.
let outcomes: RssParserOutcome[] = [];

beforeAll(async () => {
  outcomes = await runRssParserCorpus();
}, 300_000);

describe("rss-parser's inputs through the ingestion path", () => {
  it("reads every input without a crash", () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(31);
    expect(outcomes.filter((outcome) => outcome.crash !== null).map((outcome) => `${outcome.input}: ${outcome.crash}`)).toEqual(
      [],
    );
  });

  it("reads every feed with the items rss-parser lists, titles and links the same but for differences by design", () => {
    const compared = outcomes.filter((outcome) => outcome.exempt === null);
    const same = compared.filter(
      (outcome) =>
        outcome.read?.refusal === null &&
        outcome.read.items.length === outcome.expectedItems &&
        outcome.comparisons.every((comparison) => comparison.verdict !== "differ"),
    );
    const comparisons = compared.flatMap((outcome) => outcome.comparisons);
    const deliberate = comparisons.filter((comparison) => comparison.verdict === "deliberate");
    const reasons = [...new Set(deliberate.map((comparison) => comparison.reason))];
    console.log(
      `rss-parser inputs: ${same.length} of ${compared.length} read with the same items (${comparisons.length} titles and links compared, ${
        comparisons.filter((c) => c.verdict === "agree").length
      } equal, ${deliberate.length} different by design: ${reasons.map((reason) => `${reason} ${deliberate.filter((c) => c.reason === reason).length}`).join(", ")})`,
    );
    for (const outcome of compared) {
      expect(outcome.read?.refusal, outcome.input).toBeNull();
      expect(outcome.read?.items.length, outcome.input).toBe(outcome.expectedItems);
      for (const comparison of outcome.comparisons) {
        expect(comparison.verdict, `${outcome.input} item ${comparison.index} ${comparison.field}`).not.toBe("differ");
        if (comparison.reason !== undefined) expect(RSS_PARSER_DELIBERATE[comparison.reason]).toBeDefined();
      }
    }
    expect(same).toHaveLength(compared.length);
  });

  it("refuses the input that is no feed with a sentence, and reads the one without expected output", () => {
    const unrecognized = outcomes.find((outcome) => outcome.input === "unrecognized.rss");
    expect(unrecognized?.read?.refusal).toMatch(/^not a readable RSS, RDF or Atom feed: the root element is <\w+>/);
    const missingImage = outcomes.find((outcome) => outcome.input === "itunes-missing-image.rss");
    expect(missingImage?.read?.refusal).toBeNull();
    expect(missingImage?.read?.items.length).toBeGreaterThan(0);
    expect(Object.keys(EXEMPT)).toHaveLength(2);
  });
});
