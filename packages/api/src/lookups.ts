import { type EventCorrection, type EventState, findTheme, type Theme } from "@eventwire/core";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";

const THEME_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Event ids are 32 hex digits; anything else is not looked up. */
const EVENT_ID = /^[0-9a-f]{32}$/;

/** A 404 with the JSON error body (or, on pages, the error page). */
export function notFound(message: string): ApiError {
  return new ApiError(404, "not_found", message);
}

/** The served theme with this id; a 404 naming the known themes otherwise. */
export function themeNamed(deps: ApiDeps, id: string): Theme {
  const theme = THEME_ID.test(id) ? findTheme(deps.config.themes, id) : undefined;
  if (theme === undefined) {
    const known = deps.config.themes.map((t) => t.id).join(", ");
    throw notFound(`no theme named "${id}" (themes: ${known})`);
  }
  return theme;
}

/** How many merges a look-up follows (A into B, B into C …) before it gives up. */
const MERGE_HOPS = 16;

/**
 * An event as its routes answer for it: live, with its latest corrections; or merged away, with
 * the live event that now answers for it (`successor`, at the end of any chain of merges).
 */
export type ResolvedEvent =
  | { state: "live"; event: EventState; corrections: EventCorrection[] }
  | { state: "merged"; id: string; title: string; theme: string; mergedAt: string; successor: string };

/**
 * The event with this id, or where a merge sent it; a 404 for an unknown id, one that is not an
 * event id, or a chain of merges that ends nowhere.
 */
export async function resolveEvent(deps: ApiDeps, id: string): Promise<ResolvedEvent> {
  const found = EVENT_ID.test(id) ? await deps.store.events.lookup(id) : null;
  if (found === null) throw notFound(`no event has the id "${id}"`);
  if (found.state === "live") return found;
  let successor = found.mergedInto;
  for (let hop = 0; hop < MERGE_HOPS; hop += 1) {
    const next = await deps.store.events.lookup(successor);
    if (next === null) break;
    if (next.state === "live")
      return {
        state: "merged",
        id,
        title: found.event.title,
        theme: found.event.theme,
        mergedAt: found.mergedAt,
        successor: next.event.id,
      };
    successor = next.mergedInto;
  }
  deps.log.error("a merged event's successor cannot be found", { eventId: id, last: successor });
  throw notFound(`the event "${id}" was merged into one that cannot be found`);
}

/**
 * The body of a merged-away event's 301: its id and title, the event that answers for it now
 * (`mergedInto`, also the `Location`) and when it was merged.
 */
export function mergedJson(resolved: Extract<ResolvedEvent, { state: "merged" }>, location: string) {
  return { id: resolved.id, title: resolved.title, mergedInto: resolved.successor, mergedAt: resolved.mergedAt, location };
}
