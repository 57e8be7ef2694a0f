import type { EntityType } from "../text-features/entities";
import type { EventState, TermWeights } from "./event";
import type { EventIndex } from "./event-index";
import { idfCosine, idfDot, idfNorm } from "./vectors";

/** An article as the matcher sees it: unit term vectors, entities and its time. */
export type ArticleVectors = {
  title: TermWeights;
  body: TermWeights;
  entities: Map<string, { type: EntityType; weight: number }>;
  time: number;
  /** Whether `time` is a real publication time; without one, the time gap says nothing. */
  dated: boolean;
};

/** The signals a decision is made on, in the order the model's weights use. */
export const SIGNAL_NAMES = [
  "titleCos",
  "bodyCos",
  "titleBodyCos",
  "entityPerson",
  "entityPlace",
  "entityOrg",
  "entityOther",
  "entityRare",
  "timeGap",
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];
export type Signals = Record<SignalName, number>;

const DAY_MS = 86_400_000;

function entityCosine(
  a: ArticleVectors["entities"],
  b: EventState["entities"],
  type: EntityType,
  idf: (key: string) => number,
): number {
  const pick = (source: Map<string, { type: EntityType; weight: number }>) => {
    const out: TermWeights = new Map();
    for (const [key, entry] of source) if (entry.type === type) out.set(key, entry.weight);
    return out;
  };
  return idfCosine(pick(a), pick(b), idf);
}

/**
 * What the article and the event share of their entities, each shared entity counted by its
 * smaller weight and by how rare it is among events (its IDF over the largest the index could
 * give). A cosine is 1 when both sides name only "Syria"; this stays near 0 for a name every
 * story carries and grows with rare ones. 0 to 1.
 */
function rareEntities(a: ArticleVectors["entities"], b: EventState["entities"], index: EventIndex): number {
  const ceiling = Math.log(2 + index.size);
  let shared = 0;
  for (const [key, entry] of a) {
    const other = b.get(key);
    if (other !== undefined) shared += Math.min(entry.weight, other.weight) * (index.entityIdf(key) / ceiling);
  }
  return Math.min(1, shared);
}

/** How an article relates to one event, signal by signal. */
export function computeSignals(article: ArticleVectors, event: EventState, index: EventIndex): Signals {
  return signalScorer(article, index)(event);
}

/** A cosine whose norms are already known. */
const cosine = (dot: number, normA: number, normB: number) => (dot === 0 ? 0 : dot / (normA * normB));

/**
 * Scores one article against any number of events: its norms and the IDFs it meets are worked
 * out once, not once per candidate. Valid while the index does not change.
 */
export function signalScorer(article: ArticleVectors, index: EventIndex): (event: EventState) => Signals {
  const known = new Map<string, number>();
  const idf = (term: string) => {
    let value = known.get(term);
    if (value === undefined) {
      value = index.termIdf(term);
      known.set(term, value);
    }
    return value;
  };
  const titleNorm = idfNorm(article.title, idf);
  const bodyNorm = idfNorm(article.body, idf);
  return (event) => {
    const gapMs = Math.max(0, article.time - Date.parse(event.lastSeen), Date.parse(event.firstSeen) - article.time);
    const hasTitle = article.title.size > 0;
    const eventBodyNorm =
      event.bodyTerms.size === 0 || (!hasTitle && article.body.size === 0) ? 0 : idfNorm(event.bodyTerms, idf);
    return {
      titleCos: hasTitle ? cosine(idfDot(article.title, event.titleTerms, idf), titleNorm, idfNorm(event.titleTerms, idf)) : 0,
      bodyCos: cosine(article.body.size === 0 ? 0 : idfDot(article.body, event.bodyTerms, idf), bodyNorm, eventBodyNorm),
      titleBodyCos: hasTitle ? cosine(idfDot(article.title, event.bodyTerms, idf), titleNorm, eventBodyNorm) : 0,
      entityPerson: entityCosine(article.entities, event.entities, "person", index.entityIdf),
      entityPlace: entityCosine(article.entities, event.entities, "place", index.entityIdf),
      entityOrg: entityCosine(article.entities, event.entities, "org", index.entityIdf),
      entityOther: entityCosine(article.entities, event.entities, "other", index.entityIdf),
      entityRare: rareEntities(article.entities, event.entities, index),
      timeGap: article.dated ? Math.log1p(gapMs / DAY_MS) : 0,
    };
  };
}

/** The weights and thresholds of one kind of article. */
export type DecisionProfile = {
  bias: number;
  weights: Signals;
  /** Attach to the best event from this probability; below it, open a new event. */
  attachThreshold: number;
  /** An article below the theme threshold joins an event only from this probability. */
  followUpThreshold: number;
};

/** One decision profile for each length of article. */
export type LengthProfiles = {
  full: DecisionProfile;
  summary: DecisionProfile;
  titleOnly: DecisionProfile;
};

/**
 * The trained decision model: a logistic regression over the signals for each length of
 * article — a full text, a feed summary, a headline alone (whose body signals are zero) — as
 * similarity runs lower the less text there is; each twice, for articles with a real date and
 * for those without one (whose time gap is unknown); and settings shared by all.
 */
export type MatcherModel = {
  dated: LengthProfiles;
  undated: LengthProfiles;
  /**
   * Two bodies whose SimHashes (64 bits over 3-term shingles) differ in at most this many bits
   * are copies: about 10 bits is a cosine of 0.87 between their shingle sets; on the dev set the
   * nearest reports of different events differ in 17 bits.
   */
  copyMaxHamming: number;
  /** Events whose span is further than this from an article are not candidates. */
  windowDays: number;
  maxCandidates: number;
};

/** A body with fewer distinct terms than this is a summary, not a full text. */
export const SUMMARY_MAX_TERMS = 60;

/** The profile that judges an article, by how much text it has. */
export function profileFor(model: MatcherModel, article: ArticleVectors): DecisionProfile {
  const profiles = article.dated ? model.dated : model.undated;
  if (article.body.size === 0) return profiles.titleOnly;
  return article.body.size < SUMMARY_MAX_TERMS ? profiles.summary : profiles.full;
}

/** The probability that the article belongs to the event. */
export function matchProbability(profile: DecisionProfile, signals: Signals): number {
  let z = profile.bias;
  for (const name of SIGNAL_NAMES) z += profile.weights[name] * signals[name];
  return 1 / (1 + Math.exp(-z));
}
