import { type EntityCounts, type EntityDictionary, extractEntities } from "./entities";
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
};

/** Only the opening of a long body is read: the lede carries the story, the rest adds noise. */
const MAX_BODY_TERMS = 300;
/** About the characters those terms come from, for the entity reader. */
const MAX_BODY_CHARS = 3000;
/** Fewer shingles than this make a SimHash too unstable to call two texts copies. */
const MIN_SHINGLES_FOR_SIMHASH = 12;

/** Extracts terms, entities and a fingerprint from an article's title and text. */
/** A body that opens with the headline repeats it; the rest is what tells one report from another. */
function withoutLeadingTitle(title: string, body: string): string {
  const trimmed = body.trimStart();
  const headline = title.trim();
  return headline !== "" && trimmed.startsWith(headline) ? trimmed.slice(headline.length) : body;
}

export function extractFeatures(title: string, fullBody: string, dictionary: EntityDictionary): ArticleFeatures {
  const body = withoutLeadingTitle(title, fullBody);
  const titleTerms = contentTerms(title);
  const bodyTerms = contentTerms(body).slice(0, MAX_BODY_TERMS);
  const entities = extractEntities(title, dictionary, false);
  const titleEntities = new Map([...entities].map(([key, mention]) => [key, mention.count]));
  for (const [key, mention] of extractEntities(body.slice(0, MAX_BODY_CHARS), dictionary, true)) {
    const seen = entities.get(key);
    if (seen === undefined) entities.set(key, { ...mention });
    else seen.count += mention.count;
  }
  const bodyShingles = shingles(bodyTerms, 3);
  return {
    titleTerms: countTerms(titleTerms),
    bodyTerms: countTerms(bodyTerms),
    entities,
    titleEntities,
    simhash: bodyShingles.length >= MIN_SHINGLES_FOR_SIMHASH ? simhash(bodyShingles) : null,
  };
}
