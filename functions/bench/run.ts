import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { UsageError } from "../eval-command";
import { benchBundles } from "./bundles";
import { type BenchContext, type BenchFigures, createBenchContext } from "./context";
import { benchIngest } from "./ingest";
import { benchMaintenance } from "./maintenance";
import { benchMatcher } from "./matcher";
import { benchMemory } from "./memory";
import { renderBenchSection, writeBenchSection } from "./report";
import { benchServe } from "./serve";
import { benchWebhook } from "./webhook";
import { benchYear } from "./year";

/** The benchmark modules, in the order a full run takes them. */
const BENCH_MODULES: Record<string, (context: BenchContext) => Promise<BenchFigures>> = {
  matcher: benchMatcher,
  ingest: benchIngest,
  bundles: benchBundles,
  serve: benchServe,
  webhook: benchWebhook,
  memory: benchMemory,
  maintenance: benchMaintenance,
  year: benchYear,
};

/** Modules a run takes only when `--only` names them (they take long: a year of news is written first). */
const ON_REQUEST = new Set(["year"]);

/** The keys `bench --json` always carries on a full run (the contract). */
export const REQUIRED_KEYS = [
  "ingest_ratio",
  "ingest_wcu_ratio",
  "matcher_scaling",
  "feed_ratio",
  "feed_p99_ms",
  "feed_p99_ratio",
  "api_ratio",
  "webhook_per_sec",
  "webhook_p50_ms",
  "bundle_max_kb",
  "cold_first_answer_ms",
  "ingest_peak_rss_mb",
] as const;

export const BENCH_USAGE = "bench [--json] [--quick] [--only NAME[,NAME]] [--year-scale SHARE]";

/**
 * `bench`: runs every module (or those --only names) on this machine, prints each figure as it
 * comes, and with --json ends stdout with one JSON object of all the figures.
 */
export async function runBenchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      "year-scale": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`bench takes no arguments (got "${positionals[0]}"); ${BENCH_USAGE}`);
  const names =
    values.only === undefined
      ? Object.keys(BENCH_MODULES).filter((name) => !ON_REQUEST.has(name))
      : values.only.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(name in BENCH_MODULES))
      throw new UsageError(`bench --only: no module "${name}" (${Object.keys(BENCH_MODULES).join(", ")})`);
  }
  const yearScale = values["year-scale"] === undefined ? null : Number(values["year-scale"]);
  if (yearScale !== null && !(yearScale > 0 && yearScale <= 1))
    throw new UsageError(`bench --year-scale: a share of a year above 0 and at most 1 (got "${values["year-scale"]}")`);
  // With --json, stdout is kept for the JSON object: progress goes to stderr.
  const out = values.json ? process.stderr : process.stdout;
  const context = createBenchContext({ quick: values.quick, say: (line) => out.write(`${line}\n`), yearScale });
  const figures: BenchFigures = {};
  const started = Date.now();
  try {
    for (const name of names) {
      const run = BENCH_MODULES[name] as (typeof BENCH_MODULES)[string];
      Object.assign(figures, await run(context));
    }
  } finally {
    await context.close();
  }
  context.say(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // Only a full run speaks for the product in BENCHMARKS.md.
  if (values.only === undefined && !values.quick) {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../BENCHMARKS.md");
    writeBenchSection(file, renderBenchSection(figures, `npm run bench -- ${args.join(" ")}`.trim(), new Date()));
    context.say(`figures written to ${file}`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  return 0;
}
