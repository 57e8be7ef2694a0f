import * as core from "@eventwire/core";
import { describe, expect, it } from "vitest";

const words = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

describe("term digests", () => {
  it.each([1, 10, 300, 3_000, 20_000])("holds every one of %i terms it was built from", (count) => {
    const terms = words("term", count);
    const digest = core.createDigest(new Set(terms));
    expect(terms.every((term) => core.digestMayHold(digest, [term]))).toBe(true);
    expect(core.digestMayHold(digest, terms.slice(0, 50))).toBe(true);
  });

  it.each([300, 3_000, 20_000])("says an absent term of %i is present at most about as often as its rate", (count) => {
    const digest = core.createDigest(new Set(words("present", count)));
    const probes = words("absent", 20_000);
    const wrong = probes.filter((term) => core.digestMayHold(digest, [term])).length / probes.length;
    expect(wrong).toBeLessThan(core.SEARCH_INDEX.falsePositiveRate * 2);
  });

  it("takes more bytes for more terms, about 1.2 bytes a term at a 1% rate", () => {
    const small = core.createDigest(new Set(words("a", 100)));
    const large = core.createDigest(new Set(words("a", 10_000)));
    expect(large.bits.length).toBeGreaterThan(small.bits.length * 50);
    expect(large.bits.length).toBeLessThan(10_000 * 1.3);
  });

  it("needs every term of a search: one absent term is enough to skip", () => {
    const digest = core.createDigest(new Set(["harbour", "ferri"]));
    expect(core.digestMayHold(digest, ["harbour", "ferri"])).toBe(true);
    expect(core.digestMayHold(digest, ["harbour", "zanzibar"])).toBe(false);
    expect(core.digestMayHold(digest, [])).toBe(true);
  });

  it("takes a late article's terms after it was built", () => {
    const digest = core.createDigest(new Set(words("built", 200)));
    expect(core.digestMayHold(digest, ["quokka"])).toBe(false);
    core.addToDigest(digest, ["quokka"]);
    expect(core.digestMayHold(digest, ["quokka"])).toBe(true);
    expect(core.digestMayHold(digest, ["built7"])).toBe(true);
  });
});

describe("the terms an article is digested by", () => {
  const article = { title: "Türkiye's ferries: attacks near the harbour", summary: "Residents fled the Old City." };

  it.each(["ferry", "attack", "Turkiye", "harbour residents", "old city"])(
    "holds every term of a search that matches the article (%s)",
    (q) => {
      const filter = { terms: core.searchTerms(q), theme: null, eventId: null, sourceId: null, onTheme: null };
      const summary = { ...article, theme: "t", eventId: null, sourceId: "s", onTheme: true } as never;
      expect(core.articleMatchesFilter(summary, filter)).toBe(true);
      const terms = new Set(core.articleSearchTerms(article));
      expect(core.searchTerms(q).every((term) => terms.has(term))).toBe(true);
    },
  );
});

describe("buckets and late writes", () => {
  it.each([
    ["slot", "2026-04-01T10:14:59.999Z", "2026-04-01T10:10:00.000Z", "2026-04-01T10:15:00.000Z"],
    ["slot", "2026-04-01T10:15:00.000Z", "2026-04-01T10:15:00.000Z", "2026-04-01T10:20:00.000Z"],
    ["day", "2026-04-01T23:59:59.999Z", "2026-04-01T00:00:00.000Z", "2026-04-02T00:00:00.000Z"],
  ] as const)("puts %s of %s at [%s, %s)", (level, at, start, end) => {
    expect(core.bucketOf(level, Date.parse(at))).toEqual({ start, end });
  });

  it("calls an article late once it is written more than the margin after its publication", () => {
    expect(core.isLateWrite("2026-04-01T10:00:00Z", "2026-04-01T11:29:00Z")).toBe(false);
    expect(core.isLateWrite("2026-04-01T10:00:00Z", "2026-04-01T11:31:00Z")).toBe(true);
  });

  it("digests a bucket only after it closed, later than a writer calls an article late", () => {
    const now = new Date("2026-04-01T12:00:00Z");
    expect(core.closedBefore(now)).toBe(Date.parse("2026-04-01T10:00:00Z"));
    expect(core.SEARCH_INDEX.closedAfterMinutes).toBeGreaterThan(core.SEARCH_INDEX.lateAfterMinutes);
    expect((24 * 60) % core.SEARCH_INDEX.slotMinutes).toBe(0);
  });
});
