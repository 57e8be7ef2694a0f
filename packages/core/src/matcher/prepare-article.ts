import type { EntityDictionary } from "../text-features/entities";
import { extractFeatures } from "../text-features/features";
import type { Matcher, MatchInput, PreparedArticle } from "./matcher";
import { namesOf, withoutNames } from "./signals";
import { unitEntityWeights, unitWeights } from "./vectors";

/** Extracts what the matcher reads of an article. */
export function prepareArticle(matcher: Matcher, input: MatchInput): PreparedArticle {
  const features = extractFeatures(input.title, input.text, matcher.dictionary, input.outlet ?? null);
  const themeNames = dictionaryNames(matcher.dictionary);
  const action = withoutNames(features.titleTerms, namesOf(features.entities.keys()), themeNames);
  return {
    input,
    features,
    vectors: {
      titleAction: unitWeights(action),
      themeNames,
      title: unitWeights(features.titleTerms),
      body: unitWeights(features.bodyTerms),
      entities: unitEntityWeights(features.entities),
      time: Date.parse(input.publishedAt),
      dated: input.dated,
    },
  };
}

/** The stems of the words of every alias in a dictionary, made once per dictionary. */
const namesByDictionary = new WeakMap<EntityDictionary, ReadonlySet<string>>();

function dictionaryNames(dictionary: EntityDictionary): ReadonlySet<string> {
  let names = namesByDictionary.get(dictionary);
  if (names === undefined) {
    names = namesOf([...dictionary.exact.keys(), ...dictionary.folded.keys()]);
    namesByDictionary.set(dictionary, names);
  }
  return names;
}
