import { parseArgs } from "node:util";
import { ConfigError } from "./config";
import { UsageError } from "./eval-command";
import { type LoadedTheme, refuseDuplicateIds, themesOfEntry } from "./themes-config";
import { runThemesSuggest, THEMES_SUGGEST_USAGE } from "./themes-suggest";

// `eventwire themes <sub-command>`: working on theme files without starting anything (no table,
// no network). Each sub-command is one entry of SUBCOMMANDS and its lines of THEMES_USAGE.

/** The command's lines of the CLI's usage text, each sub-command with what it does. */
export const THEMES_USAGE = [
  "themes check FILE|FOLDER|ID …",
  "                         validate theme files as a deployment would, starting nothing (see docs/themes.md)",
  THEMES_SUGGEST_USAGE,
  "                         propose a theme file from labelled articles, for a person to edit (see docs/themes.md)",
].join("\n  ");

/** One line of `themes check`: what a valid theme holds. */
function describeTheme({ theme, source }: LoadedTheme): string {
  return `ok ${source}: id "${theme.id}", ${theme.entities.length} entities, ${theme.terms.length} terms, threshold ${theme.threshold}`;
}

/**
 * `themes check FILE…`: validates each theme file (a folder: its `*.json` files; a built-in id:
 * that theme) as a deployment would at start, and that no two share an id. One line each, on
 * stdout when valid, on stderr with the file and field when not; 1 when any was refused.
 */
function checkThemes(args: string[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length === 0) throw new UsageError("themes check takes one theme file or more");
  const valid: LoadedTheme[] = [];
  let failed = 0;
  for (const entry of positionals) {
    try {
      for (const loaded of themesOfEntry(entry, process.cwd(), "themes check")) {
        valid.push(loaded);
        process.stdout.write(`${describeTheme(loaded)}\n`);
      }
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      failed += 1;
      process.stderr.write(`FAIL ${error.message}\n`);
    }
  }
  try {
    refuseDuplicateIds(valid, "themes check");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    failed += 1;
    process.stderr.write(`FAIL ${error.message}\n`);
  }
  return failed > 0 ? 1 : 0;
}

const SUBCOMMANDS: Record<string, (args: string[]) => number | Promise<number>> = {
  check: checkThemes,
  suggest: runThemesSuggest,
};

/** `themes <sub-command> …`: a usage error naming the sub-commands for any other. */
export function runThemesCommand(args: string[]): number | Promise<number> {
  const [sub, ...rest] = args;
  // Own keys only: "toString" names no sub-command.
  const run = sub !== undefined && Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (run === undefined) throw new UsageError(`unknown themes command "${sub ?? ""}" (${Object.keys(SUBCOMMANDS).join(", ")})`);
  return run(rest);
}
