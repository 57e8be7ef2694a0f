import { type EventState, findTheme, type Theme } from "@eventwire/core";
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

/** The stored event with this id; a 404 for an unknown id or one that is not an event id. */
export async function eventNamed(deps: ApiDeps, id: string): Promise<EventState> {
  const event = EVENT_ID.test(id) ? await deps.store.events.get(id) : null;
  if (event === null) throw notFound(`no event has the id "${id}"`);
  return event;
}
