import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderBenchSection, TARGETS, targetCell, writeBenchSection } from "../../functions/bench/report";
import { REQUIRED_KEYS } from "../../functions/bench/run";

const MACHINE = { cpus: [{ model: "Test CPU" }, { model: "Test CPU" }] as never, totalmem: 8 * 2 ** 30, loadavg: [1.25, 2, 3] };

describe("the generated BENCHMARKS section", () => {
  it("requires every figure that has a target, and keeps reporting the two whose targets were replaced", () => {
    const untargeted = REQUIRED_KEYS.filter((key) => TARGETS[key] === undefined);
    expect(untargeted.sort()).toEqual(["feed_p99_ms", "ingest_ratio"]);
    for (const key of Object.keys(TARGETS)) expect(REQUIRED_KEYS).toContain(key);
  });

  it("says whether a figure meets its target, in the target's direction", () => {
    expect(targetCell("feed_ratio", 0.5)).toBe("≥ 0.5 ✓");
    expect(targetCell("feed_ratio", 0.49)).toBe("≥ 0.5 ✗");
    expect(targetCell("feed_p99_ratio", 1.5)).toBe("≤ 1.5 ✓");
    expect(targetCell("feed_p99_ratio", 1.51)).toBe("≤ 1.5 ✗");
    expect(targetCell("ingest_wcu_ratio", 3.2)).toBe("≤ 3 ✗");
    expect(targetCell("webhook_p50_ms", 1000)).toBe("< 1000 ✗");
    expect(targetCell("webhook_p50_ms", 999)).toBe("< 1000 ✓");
    expect(targetCell("ingest_ratio", 0.2)).toBe("");
    expect(targetCell("matcher_scaling", 2)).toBe("≤ 2 ✓");
    expect(targetCell("matcher_us_per_article_100", 600)).toBe("");
  });

  it("renders the figures, the machine and its load, and replaces only its own section", () => {
    const section = renderBenchSection(
      { feed_ratio: 0.25, bundle_max_kb: 912 },
      "npm run bench",
      new Date("2026-11-21T12:00:00Z"),
      MACHINE,
    );
    expect(section).toContain("on 2026-11-21: 2 × Test CPU, 8 GiB");
    expect(section).toContain("load average at the end 1.3, 2.0, 3.0");
    expect(section).toContain("| `feed_ratio` | 0.250 | ≥ 0.5 ✗ |");
    expect(section).toContain("| `bundle_max_kb` | 912 | ≤ 1024 ✓ |");

    const file = path.join(mkdtempSync(path.join(tmpdir(), "bench-report-")), "BENCHMARKS.md");
    writeFileSync(file, "# Benchmarks\n\nHand-written text.\n");
    writeBenchSection(file, section);
    writeBenchSection(file, section.replace("0.250", "0.300"));
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("# Benchmarks\n\nHand-written text.\n")).toBe(true);
    expect(text).toContain("| `feed_ratio` | 0.300 |");
    expect(text).not.toContain("0.250");
    expect(text.match(/bench:start/g)).toHaveLength(1);
  });
});
