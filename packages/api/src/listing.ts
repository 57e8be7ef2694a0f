import { findTheme, searchTerms, type ThemeDefinition } from "@eventwire/core";
import type { PageKey } from "@eventwire/store";
import { decodeCursor, encodeCursor } from "./cursor";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";

function invalid(parameter: string, message: string): ApiError {
  return new ApiError(400, "invalid_parameter", `query parameter "${parameter}": ${message}`);
}

/** Why a theme id is refused: the themes this server follows. */
export function unknownTheme(deps: ApiDeps, id: string): string {
  return `no theme "${id}" (themes: ${deps.config.themes.map((each) => each.id).join(", ")})`;
}

/** Why words are refused as a search: none of them is searched for. */
export const NO_SEARCH_WORD = "no word to search for (numbers, one-letter and very common words are not indexed)";

/** The theme a listing names (or the default one); a 400 naming `theme` for an unknown id. */
export function themeParameter(deps: ApiDeps, id: string | undefined): ThemeDefinition | undefined {
  if (id === undefined) return undefined;
  const theme = findTheme(deps.config.themes, id);
  if (theme === undefined) throw invalid("theme", unknownTheme(deps, id));
  return theme;
}

/** The search terms of `q`; a 400 when it has none that can be searched for. */
export function searchParameter(q: string | undefined): string[] {
  if (q === undefined) return [];
  const terms = searchTerms(q);
  if (terms.length === 0) throw invalid("q", NO_SEARCH_WORD);
  return terms.sort();
}

/** A 400 when a time range ends before it starts. */
export function checkTimeRange(since: string | undefined, until: string | undefined): void {
  if (since !== undefined && until !== undefined && since > until) {
    throw invalid("since", `${since} is after "until" (${until})`);
  }
}

/**
 * A listing's cursors: bound to the listing and to every filter it was issued under, so one
 * from another listing, or with other filters, is a 400 rather than a jump into another index.
 */
export function listingCursors(deps: ApiDeps, listing: string, filters: Record<string, unknown>) {
  const scope = `${listing}:${JSON.stringify(filters)}`;
  return {
    read: (cursor: string | undefined): PageKey | null =>
      cursor === undefined ? null : decodeCursor(deps.config.cursorSecret, scope, cursor),
    next: (key: PageKey | null): string | null => (key === null ? null : encodeCursor(deps.config.cursorSecret, scope, key)),
  };
}
