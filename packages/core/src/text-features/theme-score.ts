import { compileEntities, type EntityDefinition, type EntityDictionary } from "./entities";
import type { ArticleFeatures } from "./features";
import { contentTerms } from "./tokens";

/** A theme as data: what it is about and how an article's relevance to it is scored. */
export type ThemeDefinition = {
  id: string;
  title: string;
  description: string;
  language: string;
  /**
   * Named entities of the theme (groups, places, people) with their aliases and a weight. A
   * weight of 0 makes a name known to the matcher with no say in the score; a negative weight
   * makes it counter-evidence: a neighbouring story's actor (the other conflict's group), whose
   * mentions take from the score, so that a report centred on it is not news of this theme
   * however many of the theme's words it shares.
   */
  entities: (EntityDefinition & { weight: number })[];
  /**
   * Words and phrases of the theme, with a weight. A `supporting` term ("terror", "militants")
   * adds to an article's score but never makes it on-theme alone: every attack is "terror", and
   * only naming the theme's groups, places, people or its own words ties a report to the theme.
   */
  terms: { term: string; weight: number; supporting?: boolean }[];
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
  terms: { stems: string[]; weight: number; label: string; supporting: boolean }[];
};

export type ThemeScore = {
  /** 0 (nothing of the theme) to 1. */
  score: number;
  onTheme: boolean;
  /**
   * Whether the evidence ties the text to the theme: a theme entity or a term that is not only
   * supporting. Without it no score makes an article on-theme. Absent in explanations stored
   * before it existed.
   */
  anchored?: boolean;
  /**
   * Set when the score is its story's rather than the article's own: the article's evidence
   * pooled with that of the earlier reports its event claimed (`articles` counts them all).
   */
  story?: { articles: number };
  /** The entities and terms that carried the score, strongest first. */
  evidence: { name: string; weight: number }[];
};

/** Prepares a theme definition for scoring (alias dictionary, stemmed terms). */
export function compileTheme(definition: ThemeDefinition): CompiledTheme {
  return {
    definition,
    dictionary: compileEntities(definition.entities),
    entityWeights: new Map(definition.entities.map((entity) => [entity.id, entity.weight])),
    terms: definition.terms.map((term) => ({
      stems: contentTerms(term.term),
      weight: term.weight,
      label: term.term,
      supporting: term.supporting === true,
    })),
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

/** An article's theme evidence: each entity and term of the theme it names, with its value. */
export type ThemeEvidence = { values: Map<string, number>; anchors: Set<string> };

/** The theme evidence in an article's features (what `scoreTheme` scores). */
export function themeEvidence(theme: CompiledTheme, features: ArticleFeatures): ThemeEvidence {
  const values = new Map<string, number>();
  const anchors = new Set<string>();
  const credit = (name: string, weight: number, inTitle: number, inBody: number, anchor: boolean) => {
    if (weight === 0 || (inTitle === 0 && inBody === 0)) return;
    const value = weight * ((inTitle > 0 ? TITLE_BOOST : 0) + Math.log2(1 + inBody));
    values.set(name, (values.get(name) ?? 0) + value);
    if (anchor) anchors.add(name);
  };
  for (const [key, mention] of features.entities) {
    const weight = theme.entityWeights.get(key);
    const inTitle = features.titleEntities.get(key) ?? 0;
    // Counter-evidence never ties a report to the theme.
    if (weight !== undefined) credit(key, weight, inTitle, mention.count - inTitle, weight > 0);
  }
  for (const term of theme.terms) {
    credit(
      term.label,
      term.weight,
      countPhrase(term.stems, features.titleTerms),
      countPhrase(term.stems, features.bodyTerms),
      !term.supporting,
    );
  }
  return { values, anchors };
}

/**
 * The evidence of several reports of one story taken together: each name counts with its
 * strongest value in any of them (a story is not more on-theme for saying "terror" in every
 * report; counter-evidence, with its most negative), and the story is anchored when any
 * report is.
 */
export function poolEvidence(parts: readonly ThemeEvidence[]): ThemeEvidence {
  const values = new Map<string, number>();
  const anchors = new Set<string>();
  for (const part of parts) {
    for (const [name, value] of part.values) {
      const seen = values.get(name) ?? 0;
      values.set(name, Math.abs(value) > Math.abs(seen) ? value : seen);
    }
    for (const name of part.anchors) anchors.add(name);
  }
  return { values, anchors };
}

/** Scores theme evidence: relevance 0 to 1, on-theme from the theme's threshold when anchored. */
export function scoreEvidence(theme: CompiledTheme, evidence: ThemeEvidence): ThemeScore {
  let raw = 0;
  for (const value of evidence.values.values()) raw += value;
  // Counter-evidence can take the score to 0, not below.
  const score = 1 - Math.exp(-Math.max(raw, 0) / SATURATION);
  const anchored = evidence.anchors.size > 0;
  return {
    score,
    onTheme: anchored && score >= theme.definition.threshold,
    anchored,
    evidence: [...evidence.values.entries()]
      .map(([name, weight]) => ({ name, weight: Math.round(weight * 100) / 100 }))
      // Counter-evidence is shown beside the evidence it outweighed, by its size.
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
      .slice(0, 8),
  };
}

/** Scores an article's relevance to a theme from its features, with the evidence for it. */
export function scoreTheme(theme: CompiledTheme, features: ArticleFeatures): ThemeScore {
  return scoreEvidence(theme, themeEvidence(theme, features));
}
