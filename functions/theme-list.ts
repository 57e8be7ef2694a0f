// Imports nothing: infra/ reads it inside SST's config bundle, as functions/themes-config.ts does at start.

/** The entries of an EVENTWIRE_THEMES list: comma-separated, trimmed, blanks dropped. */
export function splitThemeList(list: string): string[] {
  return list
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
