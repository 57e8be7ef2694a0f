import type { EntityType } from "../text-features/entities";
import { contentTerms } from "../text-features/tokens";
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
  /** The title's terms less the words of names: what happened, not to whom or where. */
  titleAction: TermWeights;
  /** Stems of the words of every name the theme knows (shared by all articles of a matcher). */
  themeNames: ReadonlySet<string>;
};

/** The signals a decision is made on, in the order the model's weights use. */
export const SIGNAL_NAMES = [
  "titleCos",
  "bodyCos",
  "titleBodyCos",
  "titleActionCos",
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

type EntitiesByType = Record<EntityType, TermWeights>;

/** An entity map split by type: each type's entries in their order in `source`. */
function splitByType(source: Map<string, { type: EntityType; weight: number }>): EntitiesByType {
  const out: EntitiesByType = { person: new Map(), place: new Map(), org: new Map(), other: new Map() };
  for (const [key, entry] of source) out[entry.type]?.set(key, entry.weight);
  return out;
}

/** Each event's entities split by type, made once: an event's entity map is replaced, never changed. */
const eventEntitiesByType = new WeakMap<EventState["entities"], EntitiesByType>();

function eventByType(entities: EventState["entities"]): EntitiesByType {
  let split = eventEntitiesByType.get(entities);
  if (split === undefined) {
    split = splitByType(entities);
    eventEntitiesByType.set(entities, split);
  }
  return split;
}

/**
 * What the article and the event share of their entities, each shared entity counted by its
 * smaller weight and by how rare it is among events (its IDF over the largest the index could
 * give). A cosine is 1 when both sides name only "Syria"; this stays near 0 for a name every
 * story carries and grows with rare ones. 0 to 1.
 */
function rareEntities(
  a: ArticleVectors["entities"],
  b: EventState["entities"],
  index: EventIndex,
  entityIdf: (key: string) => number,
): number {
  const ceiling = Math.log(2 + index.size);
  let shared = 0;
  for (const [key, entry] of a) {
    const other = b.get(key);
    if (other !== undefined) shared += Math.min(entry.weight, other.weight) * (entityIdf(key) / ceiling);
  }
  return Math.min(1, shared);
}

/** How an article relates to one event, signal by signal. */
export function computeSignals(article: ArticleVectors, event: EventState, index: EventIndex): Signals {
  return signalScorer(article, index)(event);
}

/** `compute`, remembering each key's answer (for as long as what it reads does not change). */
function memoised(compute: (key: string) => number): (key: string) => number {
  const known = new Map<string, number>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}

/** Each event's title vector less the words of names, made once: an event's maps are replaced, never changed. */
const eventActions = new WeakMap<TermWeights, TermWeights>();

function eventAction(event: EventState, themeNames: ReadonlySet<string>): TermWeights {
  let action = eventActions.get(event.titleTerms);
  if (action === undefined) {
    action = withoutNames(event.titleTerms, namesOf(event.entities.keys()), themeNames);
    eventActions.set(event.titleTerms, action);
  }
  return action;
}

/** The stems of the words of these entity names. */
export function namesOf(keys: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const key of keys) for (const term of contentTerms(key)) names.add(term);
  return names;
}

/** A term vector less the words of its own names and of the theme's. */
export function withoutNames(terms: TermWeights, own: ReadonlySet<string>, themeNames: ReadonlySet<string>): TermWeights {
  const out: TermWeights = new Map();
  for (const [term, weight] of terms) if (!own.has(term) && !themeNames.has(term)) out.set(term, weight);
  return out;
}

/** A cosine whose norms are already known. */
const cosine = (dot: number, normA: number, normB: number) => (dot === 0 ? 0 : dot / (normA * normB));

/**
 * Scores one article against any number of events: its norms and the IDFs it meets are worked
 * out once, not once per candidate. Valid while the index does not change.
 */
export function signalScorer(article: ArticleVectors, index: EventIndex): (event: EventState) => Signals {
  const idf = memoised(index.termIdf);
  const entityIdf = memoised(index.entityIdf);
  const articleEntities = splitByType(article.entities);
  const titleNorm = idfNorm(article.title, idf);
  const actionNorm = idfNorm(article.titleAction, idf);
  const titleActionCos = (event: EventState) => {
    if (article.titleAction.size === 0) return 0;
    const action = eventAction(event, article.themeNames);
    return cosine(idfDot(article.titleAction, action, idf), actionNorm, idfNorm(action, idf));
  };
  const bodyNorm = idfNorm(article.body, idf);
  return (event) => {
    const gapMs = Math.max(0, article.time - Date.parse(event.lastSeen), Date.parse(event.firstSeen) - article.time);
    const hasTitle = article.title.size > 0;
    const eventEntities = eventByType(event.entities);
    const eventBodyNorm =
      event.bodyTerms.size === 0 || (!hasTitle && article.body.size === 0)
        ? 0
        : (index.vectorNorm(event, "body") ?? idfNorm(event.bodyTerms, idf));
    return {
      titleCos: hasTitle
        ? cosine(
            idfDot(article.title, event.titleTerms, idf),
            titleNorm,
            index.vectorNorm(event, "title") ?? idfNorm(event.titleTerms, idf),
          )
        : 0,
      bodyCos: cosine(article.body.size === 0 ? 0 : idfDot(article.body, event.bodyTerms, idf), bodyNorm, eventBodyNorm),
      titleBodyCos: hasTitle ? cosine(idfDot(article.title, event.bodyTerms, idf), titleNorm, eventBodyNorm) : 0,
      titleActionCos: titleActionCos(event),
      entityPerson: idfCosine(articleEntities.person, eventEntities.person, entityIdf),
      entityPlace: idfCosine(articleEntities.place, eventEntities.place, entityIdf),
      entityOrg: idfCosine(articleEntities.org, eventEntities.org, entityIdf),
      entityOther: idfCosine(articleEntities.other, eventEntities.other, entityIdf),
      entityRare: rareEntities(article.entities, event.entities, index, entityIdf),
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

/**
 * How much of what they say an article and an event must share before the model's probability
 * is asked at all: the strongest of the title, body and title-to-body cosines. Reports of one
 * country and one week share its places and groups; reports of one happening also share words
 * (the act, the victims, the figures). Without this floor a report of a donor conference could
 * join an ambush reported the same day in the same country on the strength of the place alone.
 * On the labelled streams no true follow-up falls below it (docs/matching.md).
 */
export const MIN_SHARED_TEXT = 0.15;

/** Whether an article shares enough of its words with an event to be judged against it (`MIN_SHARED_TEXT`). */
export function sharesText(signals: Signals): boolean {
  return Math.max(signals.titleCos, signals.bodyCos, signals.titleBodyCos) >= MIN_SHARED_TEXT;
}

/** The probability that the article belongs to the event. */
export function matchProbability(profile: DecisionProfile, signals: Signals): number {
  let z = profile.bias;
  for (const name of SIGNAL_NAMES) z += profile.weights[name] * signals[name];
  return 1 / (1 + Math.exp(-z));
}
