import { beforeAll, describe, expect, it } from "vitest";
import { type Claim, type ClaimField, DELIBERATE } from "./feedparser-claims";
import { type FileOutcome, runFeedparserCorpus } from "./feedparser-run";
import { KNOWN_DIFFERENCES } from "./known-differences";

// feedparser's own test corpus (../shared/peer-feeds/feedparser), every file read through the
// product's ingestion path and compared with the `Expect:` lines about what the product reads.
let outcomes: FileOutcome[] = [];

beforeAll(async () => {
  outcomes = await runFeedparserCorpus();
}, 600_000);

const ENTRY_FIELDS: ClaimField[] = ["title", "link", "id", "published", "updated", "summary", "content"];

function tally(claims: Claim[]) {
  const count = (verdict: Claim["verdict"]) => claims.filter((claim) => claim.verdict === verdict).length;
  return { compared: claims.length, agree: count("agree"), deliberate: count("deliberate"), differ: count("differ") };
}

function figures(label: string, claims: Claim[]) {
  const { compared, agree, deliberate, differ } = tally(claims);
  const share = compared === 0 ? 0 : (100 * agree) / compared;
  return `${label}: ${agree} of ${compared} agree (${share.toFixed(1)} %), ${deliberate} differ by design, ${differ} other differences`;
}

function allClaims(): Claim[] {
  return outcomes.flatMap((outcome) => outcome.claims);
}

function isSanitize(claim: Claim): boolean {
  return claim.file.includes("/sanitize/");
}

describe("feedparser's corpus through the ingestion path", () => {
  it("reads every file, wellformed or not, without a crash", () => {
    expect(outcomes.length).toBeGreaterThan(2000);
    const crashed = outcomes.filter((outcome) => outcome.crash !== null).map((outcome) => `${outcome.file}: ${outcome.crash}`);
    expect(crashed).toEqual([]);
    console.log(
      `feedparser corpus: ${outcomes.length} files read, ${outcomes.filter((o) => o.read?.refusal).length} refused in words, 0 crashes`,
    );
  });

  it("ends every illformed file in articles or in refusals that say what is wrong", () => {
    const illformed = outcomes.filter((outcome) => outcome.file.startsWith("tests/illformed/"));
    expect(illformed.length).toBeGreaterThan(10);
    // A refusal is a sentence naming the problem, not an exception's bare message.
    const clear = (text: string | null) =>
      text !== null && /^[a-z][^\n]*\s\S+\s\S+/.test(text) && !/Cannot read properties|is not a/.test(text);
    for (const { file, read } of illformed) {
      if (read?.refusal) {
        expect(clear(read.refusal), `${file}: ${read.refusal}`).toBe(true);
        continue;
      }
      // Read: each item became an article or was left out with its reason (a feed may have none).
      for (const item of read?.items ?? [])
        expect(item.article !== null || clear(item.reason), `${file}: ${item.reason}`).toBe(true);
    }
    const read = illformed.filter((outcome) => outcome.read?.refusal === null);
    console.log(
      `feedparser illformed/: ${illformed.length} files, ${read.length} read (${read.reduce((n, o) => n + (o.read?.items.filter((i) => i.article).length ?? 0), 0)} articles), ${illformed.length - read.length} refused in words`,
    );
  });

  it("agrees with at least 95 % of the comparable claims about an entry's title, link, id, dates, summary and content", () => {
    const claims = allClaims().filter((claim) => ENTRY_FIELDS.includes(claim.field) && !isSanitize(claim));
    const { compared, agree } = tally(claims);
    console.log(figures("feedparser Expect claims about entries (all folders but sanitize/)", claims));
    console.log(
      figures(
        "the same, sanitize/ (HTML cleaning, compared as text)",
        allClaims().filter((claim) => ENTRY_FIELDS.includes(claim.field) && isSanitize(claim)),
      ),
    );
    expect(compared).toBeGreaterThan(250);
    expect(agree / compared).toBeGreaterThanOrEqual(0.95);
  });

  it("names every difference: by design with its reason, or listed with its argument", () => {
    const differences = allClaims().filter((claim) => claim.verdict !== "agree");
    for (const claim of differences) {
      if (claim.verdict === "deliberate")
        expect(DELIBERATE[claim.reason ?? ("" as keyof typeof DELIBERATE)], claim.file).toBeDefined();
      else
        expect(
          KNOWN_DIFFERENCES[`${claim.file}#${claim.field}`],
          `${claim.file} ${claim.field}: ${claim.expected} vs ${claim.actual}`,
        ).toBeDefined();
    }
    const observed = new Set(
      differences.filter((claim) => claim.verdict === "differ").map((claim) => `${claim.file}#${claim.field}`),
    );
    expect(Object.keys(KNOWN_DIFFERENCES).filter((key) => !observed.has(key))).toEqual([]);
    const byReason = new Map<string, number>();
    for (const claim of differences) byReason.set(claim.reason ?? "listed", (byReason.get(claim.reason ?? "listed") ?? 0) + 1);
    console.log(`differences by reason: ${[...byReason].map(([reason, n]) => `${reason} ${n}`).join(", ")}`);
  });

  it("reads the feed titles and the encodings feedparser expects, but for named differences", () => {
    const feedTitles = allClaims().filter((claim) => claim.field === "feed-title");
    const encodings = allClaims().filter((claim) => claim.field === "encoding");
    console.log(figures("feedparser Expect claims about the feed title", feedTitles));
    console.log(figures("feedparser Expect claims about the encoding", encodings));
    expect(tally(feedTitles).agree / feedTitles.length).toBeGreaterThanOrEqual(0.95);
    expect(tally(encodings).agree + tally(encodings).deliberate).toBeGreaterThanOrEqual(encodings.length - 2);
  });
});
