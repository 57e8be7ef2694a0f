import { findTheme, searchTerms, type ThemeDefinition } from "@eventwire/core";
import type { Context } from "hono";
import { baseUrl } from "./base-url";
import { type CursorKey, decodeCursor, encodeCursor } from "./cursor";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";
import { type CachedBody, jsonBody } from "./http-cache";

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

/** One bounded page of a listing, as the store reads it. */
export type ListingRead = { limit: number; after: CursorKey | null; maxRead: number };

/**
 * A JSON listing's answer, the one shape every listing has: `{ items, nextCursor }`. Its cursors
 * are bound to the listing (`name`) and to every filter it was issued under, so one from another
 * listing, or with other filters, is a 400 rather than a jump into another index.
 */
export async function listingAnswer<T>(
  c: Context,
  deps: ApiDeps,
  listing: {
    name: string;
    filters: Record<string, unknown>;
    cursor: string | undefined;
    limit: number;
    /** The theme whose changes make the answer stale; null: any theme's can. */
    theme: string | null;
    read: (page: ListingRead) => Promise<{ items: readonly T[]; nextKey: CursorKey | null }>;
    json: (item: T, base: string) => unknown;
  },
): Promise<CachedBody> {
  const scope = `${listing.name}:${JSON.stringify(listing.filters)}`;
  const secret = deps.config.cursorSecret;
  const after = listing.cursor === undefined ? null : decodeCursor(secret, scope, listing.cursor);
  const page = await listing.read({ limit: listing.limit, after, maxRead: deps.config.filterReadLimit });
  const base = baseUrl(c, deps);
  const body = {
    items: page.items.map((item) => listing.json(item, base)),
    nextCursor: page.nextKey === null ? null : encodeCursor(secret, scope, page.nextKey),
  };
  return jsonBody(deps, body, { theme: listing.theme });
}
