import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { BUILTIN_THEMES, DEFAULT_THEMES, findTheme, parseTheme, type ThemeDefinition } from "@eventwire/core";
import { ConfigError, type EnvSettings } from "./config";
import { splitThemeList } from "./theme-list";

// Themes as files: EVENTWIRE_THEMES names built-in themes, theme files and folders of them. Read
// and validated once at start (the local runner, the CLI, each Lambda container); the schema is
// the core's (`parseTheme`), this module only reads files and words errors for the operator.

/** A theme and where it came from: a built-in theme's id, or the file as the operator named it. */
export type LoadedTheme = { theme: ThemeDefinition; source: string; builtin: boolean };

/** "built-in theme isis-syria", "theme file themes/x.json": where a theme came from, in words. */
function originOf(loaded: LoadedTheme): string {
  return `${loaded.builtin ? "built-in theme" : "theme file"} ${loaded.source}`;
}

/** Where a relative path in EVENTWIRE_THEMES starts: a Lambda's task root (its files ship there), else the working folder. */
function defaultBaseDir(): string {
  return process.env.LAMBDA_TASK_ROOT ?? process.cwd();
}

/** " (line 3, column 8)" for a JSON.parse message that gives a position in `text`, else "". */
function jsonLocation(message: string, text: string): string {
  const position = /at position (\d+)/.exec(message);
  const offset = position !== null ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : null;
  if (offset === null) return "";
  const before = text.slice(0, offset).split("\n");
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/**
 * Reads and validates one theme file. `shown` is the path as the operator wrote it, which every
 * message names: a file that cannot be read, bad JSON (with its line and column), a bad field.
 */
export function readThemeFile(file: string, shown: string = file): ThemeDefinition {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a file" : String(error);
    throw new ConfigError(`theme file ${shown}: cannot read ${file}: ${reason}`);
  }
  // Editors that write a byte-order mark write it as the first character, which JSON does not allow.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // Node 22 adds "(line L column C)" itself; the location is worked out once, the same on any Node.
    const message = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, "");
    throw new ConfigError(`theme file ${shown}: not JSON: ${message}${jsonLocation(message, text)}`);
  }
  try {
    return parseTheme(raw, `file ${shown}`);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** The file or folder an entry names (relative to `baseDir`); a ConfigError when there is none. */
function existingPath(entry: string, baseDir: string, label: string): { full: string; folder: boolean } {
  const full = path.resolve(baseDir, entry);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(full, { throwIfNoEntry: false });
  } catch (error) {
    // A path through a file (ENOTDIR), or one this process may not read (EACCES).
    throw new ConfigError(
      `${label}: cannot read "${entry}" (${full}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (stat === undefined) {
    const builtins = BUILTIN_THEMES.map((theme) => theme.id).join(", ");
    throw new ConfigError(`${label}: "${entry}" is no built-in theme (${builtins}) and no file or folder: ${full}`);
  }
  return { full, folder: stat.isDirectory() };
}

/** The theme files of one entry: the file itself, or a folder's `*.json` files in name order. */
function filesOf(entry: string, baseDir: string, label: string): { full: string; shown: string }[] {
  const { full, folder } = existingPath(entry, baseDir, label);
  if (!folder) return [{ full, shown: entry }];
  let listed: string[];
  try {
    listed = readdirSync(full);
  } catch (error) {
    throw new ConfigError(
      `${label}: cannot list the folder ${entry} (${full}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const names = listed.filter((name) => name.endsWith(".json")).sort();
  if (names.length === 0) throw new ConfigError(`${label}: the folder ${entry} (${full}) holds no .json theme file`);
  return names.map((name) => ({ full: path.join(full, name), shown: path.join(entry, name) }));
}

/**
 * The themes one entry names: a built-in theme's id, a theme file, or a folder of them. An entry
 * that is a built-in id is that theme, even where a file of that name exists.
 */
export function themesOfEntry(entry: string, baseDir: string, label: string): LoadedTheme[] {
  const builtin = findTheme(BUILTIN_THEMES, entry);
  if (builtin !== undefined) return [{ theme: builtin, source: entry, builtin: true }];
  return filesOf(entry, baseDir, label).map(({ full, shown }) => ({
    theme: readThemeFile(full, shown),
    source: shown,
    builtin: false,
  }));
}

/** Refuses two themes with one id, naming where each came from. */
export function refuseDuplicateIds(loaded: readonly LoadedTheme[], label: string): void {
  const seen = new Map<string, string>();
  for (const entry of loaded) {
    const first = seen.get(entry.theme.id);
    if (first !== undefined) {
      throw new ConfigError(
        `${label}: ${originOf(entry)} has the id "${entry.theme.id}" of ${first}: a deployment's themes need ids of their own`,
      );
    }
    seen.set(entry.theme.id, originOf(entry));
  }
}

/**
 * The themes of a comma-separated list of built-in ids, theme files and folders (relative paths
 * from `baseDir`), in order: a ConfigError for an empty list, an entry that is neither, a bad
 * file (naming it and the field) or two themes with one id.
 */
export function loadThemeList(list: string, baseDir: string, label = "EVENTWIRE_THEMES"): ThemeDefinition[] {
  const entries = splitThemeList(list);
  if (entries.length === 0)
    throw new ConfigError(`${label} is set but names no theme: name built-in ids, theme files or folders, or unset it`);
  const loaded = entries.flatMap((entry) => themesOfEntry(entry, baseDir, label));
  refuseDuplicateIds(loaded, label);
  return loaded.map(({ theme }) => theme);
}

/** The themes a deployment follows: those EVENTWIRE_THEMES names, else the defaults. */
export function configuredThemes(settings: EnvSettings, baseDir: string = defaultBaseDir()): readonly ThemeDefinition[] {
  if (settings.EVENTWIRE_THEMES === undefined) return DEFAULT_THEMES;
  return loadThemeList(settings.EVENTWIRE_THEMES, baseDir);
}

/** The theme `--theme ID|FILE` names (eval, train): a built-in id, or one theme file (relative to `baseDir`). */
export function themeArgument(value: string, baseDir: string = process.cwd()): ThemeDefinition {
  const builtin = findTheme(BUILTIN_THEMES, value);
  if (builtin !== undefined) return builtin;
  const { full, folder } = existingPath(value, baseDir, "--theme");
  if (folder) throw new ConfigError(`--theme ${value}: a folder; name one theme file or a built-in id`);
  return readThemeFile(full, value);
}
