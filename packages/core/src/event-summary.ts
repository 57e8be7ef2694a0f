import { type EventState, leadingEntities } from "./matcher/event";
import type { ChangeCounts } from "./webhooks/model";

/** How many of an event's strongest entities it is shown with. */
const SHOWN_ENTITIES = 10;

/**
 * An event as it is shown outside the matcher, the API's JSON and webhook messages alike: its
 * id, theme, title, first and last report, and its article and distinct-source counts (its own,
 * or `counts` as of a change). Each caller adds its links and the fields of its own.
 */
export function eventSummary(event: EventState, counts?: ChangeCounts) {
  return {
    id: event.id,
    theme: event.theme,
    title: event.title,
    firstSeen: event.firstSeen,
    lastSeen: event.lastSeen,
    articleCount: counts?.articleCount ?? event.articleCount,
    sourceCount: counts?.sourceCount ?? event.outlets.length,
  };
}

/** The strongest entities an event is shown with, strongest first, weights to three decimals. */
export function shownEntities(event: Pick<EventState, "entities">) {
  return leadingEntities(event, SHOWN_ENTITIES).map((entity) => ({ ...entity, weight: Math.round(entity.weight * 1000) / 1000 }));
}
