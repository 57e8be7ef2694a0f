import { type Attribution, attributeArticle } from "../outlets/attribution";
import { EVENT_LIMITS, type EventOutlet } from "./event";
import type { MatchInput } from "./matcher";

/** Attributions by article input: an article may grow an event more than once (late claims, story checks). */
const attributions = new WeakMap<MatchInput, Attribution>();

/** Whose report an article is (see `attributeArticle`), read once per article input. */
export function attributionOf(input: MatchInput): Attribution {
  let attribution = attributions.get(input);
  if (attribution === undefined) {
    attribution = attributeArticle({
      sourceId: input.sourceId,
      sourceTitle: input.outlet,
      author: input.author,
      text: input.text,
    });
    attributions.set(input, attribution);
  }
  return attribution;
}

/**
 * The outlet an article counts for: the one it credits, else its own source's, except that a
 * copy crediting no one counts for none (it is the same report again, whoever published it).
 */
export function countedOutlet(attribution: Attribution, copyOf: string | null): EventOutlet | null {
  return copyOf === null || attribution.credit !== null ? attribution.credited : null;
}

/**
 * An event's outlets with one more article's `counted` outlet (bounded). An entry that is the
 * article's source id (an event stored before outlets were read, or a source untitled then)
 * becomes that source's outlet, so one outlet is not counted twice under two keys.
 */
export function countOutlet(
  outlets: readonly EventOutlet[],
  counted: EventOutlet | null,
  sourceId: string,
  own: EventOutlet,
): EventOutlet[] {
  let next = [...outlets];
  if (own.key !== sourceId && next.some((outlet) => outlet.key === sourceId)) {
    const renamed = next.map((outlet) => (outlet.key === sourceId ? own : outlet));
    next = renamed.filter((outlet, index) => renamed.findIndex((other) => other.key === outlet.key) === index);
  }
  if (counted === null || next.length >= EVENT_LIMITS.outlets || next.some((outlet) => outlet.key === counted.key)) return next;
  return [...next, counted];
}
