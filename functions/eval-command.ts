import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  byStreamOrder,
  createThemeMatcher,
  createUnfilteredMatcher,
  DEFAULT_THEME_ID,
  describeErrors,
  type EvaluationReport,
  evaluateStream,
  formatErrors,
  type LabelledArticle,
  type MatcherModel,
  type PRF,
  parseMatcherModel,
  planMaintenance,
  SHIPPED_MODEL,
} from "@eventwire/core";
import { type EvalFormat, EvalInputError, readLabelledArticles } from "./eval-files";
import { themeArgument } from "./themes-config";

export const EVAL_USAGE = `eval --stream FILE [--existing FILE] [--format jsonl|mstream] [--theme ID|FILE] [--model FILE] [--errors FILE] [--thin-existing] [--no-maintenance] [--json]`;

function readModel(file: string): MatcherModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new EvalInputError(`cannot read the model ${file}: ${(error as Error).message}`);
  }
  try {
    return parseMatcherModel(raw, file);
  } catch (error) {
    throw new EvalInputError((error as Error).message);
  }
}

function progressBar(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
}

const fmt = (value: number | null) => (value === null ? "n/a" : value.toFixed(3));
const fmtPrf = (value: PRF | null) => (value === null ? "n/a" : `P ${fmt(value.p)}  R ${fmt(value.r)}  F1 ${fmt(value.f1)}`);

function printReport(report: EvaluationReport): void {
  const rows: [string, string][] = [
    ["articles", String(report.articles)],
    ["events", String(report.events)],
    ["BCubed", fmtPrf(report.bcubed)],
    ["pairwise", fmtPrf(report.pairwise)],
    ["NMI", fmt(report.nmi)],
    ["attach accuracy", fmt(report.attach_accuracy)],
    ["theme", fmtPrf(report.theme)],
    ["articles/s", report.articles_per_sec.toFixed(0)],
    ["maintenance", report.maintenance ? `${report.maintenance.merges} merges, ${report.maintenance.splits} splits` : "off"],
  ];
  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(16)} ${value}\n`);
}

/**
 * `eval`: loads --existing as existing events, streams --stream through the production matcher
 * and theme filter with the maintenance pass after each stream day (unless --no-maintenance),
 * and prints the scores (with --json, one JSON object on the last line).
 */
export function runEvalCommand(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      existing: { type: "string" },
      stream: { type: "string" },
      format: { type: "string", default: "jsonl" },
      theme: { type: "string", default: DEFAULT_THEME_ID },
      json: { type: "boolean", default: false },
      model: { type: "string" },
      errors: { type: "string" },
      "thin-existing": { type: "boolean", default: false },
      "no-maintenance": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.stream === undefined) throw new UsageError(`eval needs --stream FILE (${EVAL_USAGE})`);
  if (values.format !== "jsonl" && values.format !== "mstream")
    throw new UsageError(`--format must be jsonl or mstream, not "${values.format}"`);
  const format = values.format as EvalFormat;
  // A built-in id or a theme file, validated as a deployment validates it.
  const theme = themeArgument(values.theme);

  const given = values.existing === undefined ? [] : readLabelledArticles(values.existing, format, theme.id);
  const read = readLabelledArticles(values.stream, format, theme.id);
  // MStream has no dates and no theme: the file order is the stream, and the filter is off.
  if (format === "jsonl") read.sort(byStreamOrder);
  const { existing, stream } = values["thin-existing"] ? thinExisting(given, read) : { existing: given, stream: read };
  const model = values.model === undefined ? SHIPPED_MODEL : readModel(values.model);
  const matcher = format === "mstream" ? createUnfilteredMatcher(theme.id, model) : createThemeMatcher(theme, model);
  const { report, explanations, maintenance } = evaluateStream(matcher, existing, stream, {
    scoreTheme: format === "jsonl",
    clock: () => performance.now(),
    onProgress: stream.length > 1000 ? progressBar : undefined,
    maintenance: values["no-maintenance"] ? null : planMaintenance,
  });
  printReport(report);
  if (values.errors !== undefined) writeFileSync(values.errors, formatErrors(describeErrors(stream, explanations), maintenance));
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

export class UsageError extends Error {}

/**
 * `--thin-existing`: each gold event of the stream starts as an existing event of one article,
 * its earliest (by stream order), as an import of a single report would make it; the rest of
 * the stream is matched, and attach accuracy says how many follow-ups found their event.
 */
export function thinExisting(
  existing: readonly LabelledArticle[],
  stream: readonly LabelledArticle[],
): { existing: LabelledArticle[]; stream: LabelledArticle[] } {
  const first = new Map<string, LabelledArticle>();
  for (const article of stream)
    if (article.event !== null && article.onTheme && !first.has(article.event)) first.set(article.event, article);
  const imported = new Set([...first.values()]);
  return { existing: [...existing, ...imported], stream: stream.filter((article) => !imported.has(article)) };
}
