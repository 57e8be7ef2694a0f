import { combinedTerms, type EventCorrection, type EventState, leadingEntities, termWord } from "@eventwire/core";

const TOP = 10;

/** The public JSON shape of an event. */
export function eventJson(event: EventState, base: string) {
  const terms = combinedTerms(event.titleTerms, event.bodyTerms);
  return {
    id: event.id,
    theme: event.theme,
    title: event.title,
    firstSeen: event.firstSeen,
    lastSeen: event.lastSeen,
    articleCount: event.articleCount,
    sourceCount: event.outlets.length,
    centralArticleId: event.centralArticleId,
    entities: leadingEntities(event, TOP).map((entity) => ({ ...entity, weight: Math.round(entity.weight * 1000) / 1000 })),
    // The matcher's terms are stems ("identifi"); shown as the word its articles wrote most.
    terms: [...terms]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([term]) => termWord(event.termWords, term)),
    url: `${base}/api/v1/events/${event.id}`,
  };
}

/** A correction as an event's JSON lists it: what a maintenance pass did, with which event (and its URL), when and why. */
export function correctionJson(correction: EventCorrection, base: string) {
  return { ...correction, otherUrl: `${base}/api/v1/events/${correction.other}` };
}
