import { combinedTerms, type EventCorrection, type EventState, eventSummary, shownEntities, termWord } from "@eventwire/core";

const TOP_TERMS = 10;

/** The public JSON shape of an event: its summary (as webhook messages carry it), central article, entities and terms. */
export function eventJson(event: EventState, base: string) {
  const terms = combinedTerms(event.titleTerms, event.bodyTerms);
  return {
    ...eventSummary(event),
    centralArticleId: event.centralArticleId,
    entities: shownEntities(event),
    // The matcher's terms are stems ("identifi"); shown as the word its articles wrote most.
    terms: [...terms]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_TERMS)
      .map(([term]) => termWord(event.termWords, term)),
    url: `${base}/api/v1/events/${event.id}`,
  };
}

/** A correction as an event's JSON lists it: what a maintenance pass did, with which event (and its URL), when and why. */
export function correctionJson(correction: EventCorrection, base: string) {
  return { ...correction, otherUrl: `${base}/api/v1/events/${correction.other}` };
}
