import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type SuggestedItem, suggestTheme, type ThemeSuggestion } from "@eventwire/core";
import { UsageError } from "./eval-command";
import { EvalInputError, readRecords } from "./eval-files";

export const THEMES_SUGGEST_USAGE =
  "themes suggest --from FILE [--from FILE …] [--id ID] [--out FILE] [--min-examples N] [--min-events N]";

const REVIEW_ROWS = 40;

const share = (count: number, total: number) => `${count}/${total}`;

function itemLine(item: SuggestedItem, suggestion: ThemeSuggestion): string {
  const aliases = item.kind === "entity" ? ` (${item.aliases.join(", ")})` : "";
  return [
    item.role.padEnd(10),
    String(item.weight).padStart(5),
    share(item.on, suggestion.onTheme).padStart(8),
    share(item.off, suggestion.offTheme).padStart(8),
    String(item.events).padStart(6),
    item.z.toFixed(2).padStart(6),
    `  ${item.kind === "entity" ? "name" : "term"} ${item.name}${aliases}`,
  ].join(" ");
}

/** What a person should review in a suggested theme, for stderr (JSON has no comments). */
function formatReview(suggestion: ThemeSuggestion): string {
  const { theme, separation } = suggestion;
  const lines = [
    `themes suggest: "${theme.id}" from ${suggestion.onTheme} on-theme and ${suggestion.offTheme} off-theme examples`,
    `threshold ${theme.threshold} (follow-up ${theme.followUpThreshold}): precision ${separation.precision}, recall ${separation.recall}, F1 ${separation.f1} on these examples (the file alone, without the matcher)`,
    "",
    `${"role".padEnd(10)} ${"weight".padStart(5)} ${"on".padStart(8)} ${"off".padStart(8)} ${"events".padStart(6)} ${"z".padStart(6)}`,
    ...suggestion.items.slice(0, REVIEW_ROWS).map((item) => itemLine(item, suggestion)),
  ];
  if (suggestion.items.length > REVIEW_ROWS) lines.push(`… and ${suggestion.items.length - REVIEW_ROWS} more in the file`);
  if (suggestion.oneEvent.length > 0) {
    lines.push(
      "",
      "left out, seen in one event's reports only (names of particular events, mostly):",
      `  ${suggestion.oneEvent
        .slice(0, REVIEW_ROWS)
        .map((item) => `${item.kind === "entity" ? "name" : "term"} ${item.name} (${share(item.on, suggestion.onTheme)})`)
        .join(", ")}`,
    );
  }
  lines.push(
    "",
    "Review before use: this is a starting point, not a theme.",
    "- Remove names of particular events (a ship, an operation, a victim), dates and outlets (a name in",
    "  most reports of one outlet is its byline or credit).",
    '- Set each entity\'s type (person, place, org; the suggester writes "other"), join aliases it missed',
    "  and split those it joined wrongly; add the theme's places, groups and figures the examples did not name.",
    "- Check `supporting` words (common on both sides) and negative weights (names of the off-theme side:",
    "  keep only a neighbouring story's actors, as counter-evidence).",
    "- Give the theme a title and description, then measure it: npm run -s eval -- --theme FILE --stream FILE",
    "",
  );
  return lines.join("\n");
}

const count = (value: string | undefined, option: string): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new UsageError(`${option} takes a whole number of 1 or more, not "${value}"`);
  return parsed;
};

/**
 * `themes suggest`: reads labelled rows (the evaluation files' format), proposes a theme file
 * from them (on --out, or stdout) and prints what a person should review on stderr.
 */
export function runThemesSuggest(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: "string", multiple: true },
      id: { type: "string" },
      out: { type: "string" },
      "min-examples": { type: "string" },
      "min-events": { type: "string" },
    },
    strict: true,
  });
  if (values.from === undefined) throw new UsageError(`themes suggest needs --from FILE (${THEMES_SUGGEST_USAGE})`);
  const options = {
    id: values.id,
    minExamples: count(values["min-examples"], "--min-examples"),
    minEvents: count(values["min-events"], "--min-events"),
  };
  const rows = values.from.flatMap((file) => readRecords(file));
  let suggestion: ThemeSuggestion;
  try {
    suggestion = suggestTheme(rows, options);
  } catch (error) {
    throw new EvalInputError(`themes suggest: ${(error as Error).message}`);
  }
  const json = `${JSON.stringify(suggestion.theme, null, 2)}\n`;
  if (values.out === undefined) process.stdout.write(json);
  else writeFileSync(values.out, json);
  process.stderr.write(formatReview(suggestion));
  return 0;
}
