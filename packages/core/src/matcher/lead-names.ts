import type { EntityType } from "../text-features/entities";
import { contentTerms } from "../text-features/tokens";

type Entities = ReadonlyMap<string, { type: EntityType; weight: number }>;

/**
 * A side's lead is a name it carries at least this strongly (entity weights are unit vectors
 * over `1 + ln(mentions)`): one of the few names a report makes, named in its headline and body
 * or again and again; a name among ten named once each is not.
 */
export const LEAD_MIN_WEIGHT = 0.3;
/**
 * The other side names a lead "in passing" when it names it less than 0.4 times as strongly as
 * its own lead: inside the range where neither theme's labelled files lose a decision (at 0.6
 * isis-syria's dev2 loses some; at 0.3 yemen-red-sea's siblings still part), not at its edge.
 */
export const LEAD_PASSING_SHARE = 0.4;

/**
 * The name a report or an event is about: the entity it names most, each weighed by how rare
 * it is among events (`entityIdf`), so that the group and the country every story names do not
 * lead over the ship, the city or the person this one is about.
 */
export function leadName(entities: Entities, entityIdf: (key: string) => number): string | null {
  let lead: string | null = null;
  let strongest = 0;
  for (const [key, entry] of entities) {
    const strength = entry.weight * entityIdf(key);
    if (strength > strongest) {
      strongest = strength;
      lead = key;
    }
  }
  return lead;
}

// A name's words depend on the name alone: stemmed once for each side that holds it, and kept
// for as long as that side's map lives.
const wordsBySide = new WeakMap<Entities, Map<string, ReadonlySet<string>>>();
function wordsOf(side: Entities, key: string): ReadonlySet<string> {
  let words = wordsBySide.get(side);
  if (words === undefined) {
    words = new Map();
    wordsBySide.set(side, words);
  }
  let found = words.get(key);
  if (found === undefined) {
    found = new Set(contentTerms(key));
    words.set(key, found);
  }
  return found;
}
const within = (small: ReadonlySet<string>, large: ReadonlySet<string>) =>
  small.size > 0 && [...small].every((word) => large.has(word));

/** How strongly a side names `key`, or a longer or shorter form of it (a ship with or without its "MV"). */
export function namedWeight(side: Entities, key: string): number {
  let best = side.get(key)?.weight ?? 0;
  let words: ReadonlySet<string> | undefined;
  for (const [other, entry] of side) {
    if (entry.weight <= best) continue;
    words ??= new Set(contentTerms(key));
    const otherWords = wordsOf(side, other);
    if (within(words, otherWords) || within(otherWords, words)) best = entry.weight;
  }
  return best;
}

/**
 * Whether a report and an event are about different names: each leads with a name the other
 * names at most in passing (an air strike on one port and the drone attack on another city it
 * answers; a second ship attacked the day after the first). Such a report tells of a happening
 * of its own, however much of the place, the group and the kind of act it shares with the event.
 * The report's lead is found once, for all the events it is compared with.
 */
export function leadComparer(article: Entities, entityIdf: (key: string) => number): (event: Entities) => boolean {
  const own = leadName(article, entityIdf);
  const ownWeight = own === null ? 0 : (article.get(own)?.weight ?? 0);
  if (own === null || ownWeight < LEAD_MIN_WEIGHT) return () => false;
  return (event) => {
    const theirs = leadName(event, entityIdf);
    if (theirs === null || theirs === own) return false;
    const theirWeight = event.get(theirs)?.weight ?? 0;
    if (theirWeight < LEAD_MIN_WEIGHT) return false;
    return (
      namedWeight(article, theirs) < LEAD_PASSING_SHARE * ownWeight && namedWeight(event, own) < LEAD_PASSING_SHARE * theirWeight
    );
  };
}

/** `leadComparer` for one event. */
export function leadsDiffer(article: Entities, event: Entities, entityIdf: (key: string) => number): boolean {
  return leadComparer(article, entityIdf)(event);
}
