import { compileEntities, type EntityDefinition, type EntityDictionary } from "./entities";
import type { ArticleFeatures } from "./features";
import { contentTerms } from "./tokens";

/** A theme as data: what it is about and how an article's relevance to it is scored. */
export type ThemeDefinition = {
  id: string;
  title: string;
  description: string;
  language: string;
  /** Named entities of the theme (groups, places, people) with their aliases and a weight. */
  entities: (EntityDefinition & { weight: number })[];
  /** Words and phrases of the theme, with a weight. */
  terms: { term: string; weight: number }[];
  /** Relevance (0 to 1) from which an article is on-theme. */
  threshold: number;
  /**
   * Relevance from which an article that matches an on-theme event closely enough counts as
   * on-theme anyway: a follow-up that never names the group is still part of its story.
   */
  followUpThreshold: number;
};

export type CompiledTheme = {
  definition: ThemeDefinition;
  dictionary: EntityDictionary;
  entityWeights: Map<string, number>;
  /** Stemmed term sequences with their weight. */
  terms: { stems: string[]; weight: number; label: string }[];
};

export type ThemeScore = {
  /** 0 (nothing of the theme) to 1. */
  score: number;
  onTheme: boolean;
  /** The entities and terms that carried the score, strongest first. */
  evidence: { name: string; weight: number }[];
};

/** Prepares a theme definition for scoring (alias dictionary, stemmed terms). */
export function compileTheme(definition: ThemeDefinition): CompiledTheme {
  return {
    definition,
    dictionary: compileEntities(definition.entities),
    entityWeights: new Map(definition.entities.map((entity) => [entity.id, entity.weight])),
    terms: definition.terms.map((term) => ({ stems: contentTerms(term.term), weight: term.weight, label: term.term })),
  };
}

function countPhrase(stems: string[], counts: Map<string, number>): number {
  // Multi-word terms are scored by their rarest word: a cheap, order-free stand-in for phrases.
  let least = Number.POSITIVE_INFINITY;
  for (const stem of stems) least = Math.min(least, counts.get(stem) ?? 0);
  return Number.isFinite(least) ? least : 0;
}

// A mention in the title weighs as much as this many in the body.
const TITLE_BOOST = 2;
// Relevance saturates: raw evidence of this size gives a score of 1 - 1/e.
const SATURATION = 6;

/** Scores an article's relevance to a theme from its features, with the evidence for it. */
export function scoreTheme(theme: CompiledTheme, features: ArticleFeatures): ThemeScore {
  const evidence = new Map<string, number>();
  const credit = (name: string, weight: number, inTitle: number, inBody: number) => {
    if (weight === 0 || (inTitle === 0 && inBody === 0)) return;
    const value = weight * ((inTitle > 0 ? TITLE_BOOST : 0) + Math.log2(1 + inBody));
    evidence.set(name, (evidence.get(name) ?? 0) + value);
  };
  for (const [key, mention] of features.entities) {
    const weight = theme.entityWeights.get(key);
    const inTitle = features.titleEntities.get(key) ?? 0;
    if (weight !== undefined) credit(key, weight, inTitle, mention.count - inTitle);
  }
  for (const term of theme.terms) {
    credit(term.label, term.weight, countPhrase(term.stems, features.titleTerms), countPhrase(term.stems, features.bodyTerms));
  }
  let raw = 0;
  for (const value of evidence.values()) raw += value;
  const score = 1 - Math.exp(-raw / SATURATION);
  return {
    score,
    onTheme: score >= theme.definition.threshold,
    evidence: [...evidence.entries()]
      .map(([name, weight]) => ({ name, weight: Math.round(weight * 100) / 100 }))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 8),
  };
}
