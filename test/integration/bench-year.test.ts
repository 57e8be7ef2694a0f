import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli-run";

// `npm run bench -- --only year` in its smallest form (--quick: a year of 10 reports a day, 200
// events). Only the shape and sanity of the figures are checked; the figures are in BENCHMARKS.md.
const RATIOS = ["matcher_scaling_100k", "api_year_p99_ratio", "year_wcu_ratio"];
const POSITIVE = [
  "matcher_us_per_article_year_100",
  "matcher_us_per_article_year_10000",
  "matcher_us_per_article_year_100000",
  "cold_year_first_match_ms",
  "api_year_p99_ratio_events",
  "api_year_p99_ratio_source",
  "api_year_p99_ratio_event",
  "api_year_p99_ratio_search",
  "api_year_serial_ms_search",
  "api_small_serial_ms_events",
  "search_old_pages",
  "search_old_ms",
  "year_wcu_per_article",
  "year_wcu_floor_per_article",
  "year_bytes_per_article",
  "year_generate_s",
  "year_table_mb",
];

describe("bench --only year --quick --json", () => {
  it("writes a small year and ends stdout with its figures, each sane", async () => {
    const { code, stdout, stderr } = await runCli(["bench", "--only", "year", "--quick", "--json"], {});
    expect(code, stderr).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    const figures = JSON.parse(stdout.trim()) as Record<string, number>;
    for (const key of [...RATIOS, ...POSITIVE]) {
      expect(typeof figures[key], key).toBe("number");
      expect(figures[key], key).toBeGreaterThan(0);
      expect(Number.isFinite(figures[key]), key).toBe(true);
    }
    // About 3,600 reports and 200 events planned; the year's end cuts a few.
    expect(figures.year_articles).toBeGreaterThan(2_000);
    expect(figures.year_articles).toBeLessThan(6_000);
    expect(figures.year_events).toBeGreaterThan(150);
    expect(figures.year_events).toBeLessThanOrEqual(200);
    // Every event given to the index fits in it at this size (at most 200 events).
    expect(figures.matcher_year_held_100).toBe(100);
    // The old search found its event's articles, and the write cost counts at least the articles' own items.
    expect(figures.search_old_found).toBeGreaterThan(0);
    expect(figures.search_old_found).toBeLessThanOrEqual(figures.search_old_expected as number);
    expect(figures.year_wcu_ratio).toBeGreaterThanOrEqual(1);
    expect(figures.year_bytes_per_article).toBeGreaterThanOrEqual(figures.year_bytes_floor_per_article as number);
    // A default run does not take the year.
    expect(figures.ingest_ratio).toBeUndefined();
  }, 900_000);
});
