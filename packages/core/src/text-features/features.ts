import { type EntityCounts, type EntityDictionary, extractEntities, outletKeys, withoutCredits } from "./entities";
import { type SimHash, shingles, simhash } from "./simhash";
import { contentTerms, countTerms } from "./tokens";

/** What the matcher and the theme filter read of an article. */
export type ArticleFeatures = {
  titleTerms: Map<string, number>;
  bodyTerms: Map<string, number>;
  /** Entities of title and body together. */
  entities: EntityCounts;
  /** Entities the title names, with how often (these are also counted in `entities`). */
  titleEntities: Map<string, number>;
  /** SimHash of the body's 3-term shingles; null when the body is too short to fingerprint. */
  simhash: SimHash | null;
  /** For each term, the word (folded) it was read from most often: what the stem is shown as. */
  termWords: Map<string, string>;
};

/** Only the opening of a long body is read: the lede carries the story, the rest adds noise. */
const MAX_BODY_TERMS = 300;
/** About the characters those terms come from, for the entity reader. */
const MAX_BODY_CHARS = 3000;
/** Fewer shingles than this make a SimHash too unstable to call two texts copies. */
const MIN_SHINGLES_FOR_SIMHASH = 12;

/** A body that opens with the headline repeats it; the rest is what tells one report from another. */
function withoutLeadingTitle(title: string, body: string): string {
  const trimmed = body.trimStart();
  const headline = title.trim();
  return headline !== "" && trimmed.startsWith(headline) ? trimmed.slice(headline.length) : body;
}

/** For each term, the word it was read from most often (the first of equals). */
function mostUsedWords(terms: readonly string[], words: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  const best = new Map<string, string>();
  terms.forEach((term, index) => {
    const word = words[index] as string;
    const count = (counts.get(word) ?? 0) + 1;
    counts.set(word, count);
    const current = best.get(term);
    if (current === undefined || (current !== word && count > (counts.get(current) ?? 0))) best.set(term, word);
  });
  return best;
}

/**
 * Extracts terms, entities and a fingerprint from an article's title and text. `outlet` is the
 * name of the outlet that published it (its feed's title): neither it nor the text's credit
 * lines are read as entities of the story.
 */
export function extractFeatures(
  title: string,
  fullBody: string,
  dictionary: EntityDictionary,
  outlet: string | null = null,
): ArticleFeatures {
  const body = withoutLeadingTitle(title, fullBody);
  const words: string[] = [];
  const titleTerms = contentTerms(title, words);
  const bodyTerms = contentTerms(body, words).slice(0, MAX_BODY_TERMS);
  const entities = extractEntities(title, dictionary, false);
  const titleEntities = new Map([...entities].map(([key, mention]) => [key, mention.count]));
  for (const [key, mention] of extractEntities(withoutCredits(body.slice(0, MAX_BODY_CHARS), dictionary), dictionary, true)) {
    const seen = entities.get(key);
    if (seen === undefined) entities.set(key, { ...mention });
    else seen.count += mention.count;
  }
  if (outlet !== null)
    for (const key of outletKeys(outlet, dictionary)) {
      entities.delete(key);
      titleEntities.delete(key);
    }
  const bodyShingles = shingles(bodyTerms, 3);
  return {
    titleTerms: countTerms(titleTerms),
    bodyTerms: countTerms(bodyTerms),
    entities,
    titleEntities,
    simhash: bodyShingles.length >= MIN_SHINGLES_FOR_SIMHASH ? simhash(bodyShingles) : null,
    termWords: mostUsedWords([...titleTerms, ...bodyTerms], words),
  };
}
