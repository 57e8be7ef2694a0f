import { hashId } from "../hash";
import type { Attribution } from "../outlets/attribution";
import type { EntityDictionary } from "../text-features/entities";
import { type ArticleFeatures, extractFeatures } from "../text-features/features";
import { formatSimHash, hammingDistance, parseSimHash, type SimHash } from "../text-features/simhash";
import {
  type CompiledTheme,
  poolEvidence,
  scoreEvidence,
  scoreTheme,
  type ThemeEvidence,
  type ThemeScore,
  themeEvidence,
} from "../text-features/theme-score";
import { EVENT_LIMITS, type EventMember, type EventState, type TermWeights, topWeights } from "./event";
import { EventIndex } from "./event-index";
import { attributionOf, countedOutlet, countOutlet, rememberAttribution } from "./event-outlets";
import {
  type ArticleVectors,
  computeSignals,
  type MatcherModel,
  matchProbability,
  namesOf,
  profileFor,
  type Signals,
  signalScorer,
} from "./signals";
import { addTermWords } from "./term-words";
import { blendWeights, idfCosine, unitEntityWeights, unitWeights } from "./vectors";

/** What the matcher needs of an article. */
export type MatchInput = {
  id: string;
  sourceId: string;
  title: string;
  /** Full text when there is one, else the summary. */
  text: string;
  /** The opening of the text (what an article item keeps without its body). */
  summary: string;
  publishedAt: string;
  /** False when publishedAt is not a real publication time (no date in the feed, or none in the data). */
  dated: boolean;
  contentHash: string;
  /**
   * The name of the outlet that published it (its feed's title), never read as one of its
   * entities; a credit line naming the same outlet is told by it. Absent: the source id stands.
   */
  outlet?: string | null;
  /** The feed's author field, where an agency byline may be. */
  author?: string | null;
};

/** `imported`: placed by an import of labelled articles (existing events), not by a decision. */
export type MatchDecision = "new-event" | "attached" | "copy" | "off-theme" | "imported";

/** Why an article went where it went; stored with the article. */
export type MatchExplanation = {
  decision: MatchDecision;
  onTheme: boolean;
  /** Null when the theme filter is off (the MStream evaluation). */
  theme: ThemeScore | null;
  eventId: string | null;
  probability: number | null;
  runnerUp: { eventId: string; probability: number } | null;
  /** The article this one is a copy of. */
  copyOf: string | null;
  signals: Signals | null;
  candidates: number;
  /** True when an article first judged off-theme joined an event once its story appeared. */
  reconsidered: boolean;
};

/** One theme's matcher: the events it knows, the trained model, the theme (null: no filter). */
export type Matcher = {
  themeId: string;
  index: EventIndex;
  model: MatcherModel;
  theme: CompiledTheme | null;
  dictionary: EntityDictionary;
  /**
   * Recent off-theme articles, read from their title and summary, that a story appearing later
   * may claim (a report from before the group behind an attack was named, say).
   */
  pending: PreparedArticle[];
};

/** An article's features and vectors, computed once and used by the decision and the update. */
export type PreparedArticle = { input: MatchInput; features: ArticleFeatures; vectors: ArticleVectors };

const DAY_MS = 86_400_000;

/** Creates an empty matcher for a theme. */
export function createMatcher(
  themeId: string,
  model: MatcherModel,
  theme: CompiledTheme | null,
  dictionary: EntityDictionary,
): Matcher {
  return { themeId, index: new EventIndex(), model, theme, dictionary, pending: [] };
}

/** Extracts what the matcher reads of an article. */
export function prepareArticle(matcher: Matcher, input: MatchInput): PreparedArticle {
  const features = extractFeatures(input.title, input.text, matcher.dictionary, input.outlet ?? null);
  const themeNames = dictionaryNames(matcher.dictionary);
  const names = namesOf(features.entities.keys(), themeNames);
  const action = new Map([...features.titleTerms].filter(([term]) => !names.has(term)));
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
    names = namesOf([...dictionary.exact.keys(), ...dictionary.folded.keys()], new Set());
    namesByDictionary.set(dictionary, names);
  }
  return names;
}

/**
 * Each event's members' SimHashes, parsed as the copy check first reads them: the check reads
 * every member of every candidate for each new article, and a members list is replaced, never
 * changed, so it can key the cache (which goes with the list).
 */
const parsedMembers = new WeakMap<readonly EventMember[], (SimHash | null)[]>();

function memberSimHash(members: readonly EventMember[], index: number): SimHash | null {
  let parsed = parsedMembers.get(members);
  if (parsed === undefined) {
    parsed = [];
    parsedMembers.set(members, parsed);
  }
  let hash = parsed[index];
  if (hash === undefined) {
    const text = (members[index] as EventMember).simhash;
    hash = text === null ? null : parseSimHash(text);
    parsed[index] = hash;
  }
  return hash;
}

function findCopy(
  prepared: PreparedArticle,
  candidates: EventState[],
  maxHamming: number,
): { event: EventState; member: EventMember } | null {
  const own = prepared.features.simhash;
  for (const event of candidates) {
    for (const [index, member] of event.members.entries()) {
      if (member.contentHash === prepared.input.contentHash) return { event, member };
      if (own === null) continue;
      const hash = memberSimHash(event.members, index);
      if (hash !== null && hammingDistance(own, hash) <= maxHamming) return { event, member };
    }
  }
  return null;
}

/** An explanation: off-theme and empty unless `fields` say otherwise. */
function explain(theme: ThemeScore | null, fields: Partial<MatchExplanation>): MatchExplanation {
  return {
    decision: "off-theme",
    onTheme: false,
    theme,
    eventId: null,
    probability: null,
    runnerUp: null,
    copyOf: null,
    signals: null,
    candidates: 0,
    reconsidered: false,
    ...fields,
  };
}

/**
 * Decides where an article goes: off-theme, a copy of an article already in an event, attached
 * to the best candidate event, or the first article of a new event. Reads the matcher, changes
 * nothing.
 */
export function decideMatch(matcher: Matcher, prepared: PreparedArticle): MatchExplanation {
  const theme = matcher.theme === null ? null : scoreTheme(matcher.theme, prepared.features);
  const offTheme = explain(theme, {});
  // Far below the theme: no story of the theme could claim it, so it is not even looked up.
  if (theme !== null && matcher.theme !== null && theme.score < matcher.theme.definition.followUpThreshold) return offTheme;

  const { model } = matcher;
  const candidates = matcher.index.candidates({
    terms: [...prepared.vectors.title.keys(), ...prepared.vectors.body.keys()],
    entities: prepared.vectors.entities.keys(),
    time: prepared.vectors.time,
    windowMs: model.windowDays * DAY_MS,
    maxCandidates: model.maxCandidates,
  });

  const copy = findCopy(prepared, candidates, model.copyMaxHamming);
  if (copy !== null) {
    return {
      ...offTheme,
      decision: "copy",
      onTheme: true,
      eventId: copy.event.id,
      copyOf: copy.member.copyOf ?? copy.member.articleId,
      candidates: candidates.length,
    };
  }

  const profile = profileFor(model, prepared.vectors);
  const score = signalScorer(prepared.vectors, matcher.index);
  const scored = candidates
    .map((event) => {
      const signals = score(event);
      return { event, signals, probability: matchProbability(profile, signals) };
    })
    .sort((a, b) => b.probability - a.probability);
  const best = scored[0];
  const second = scored[1];
  const runnerUp = second ? { eventId: second.event.id, probability: second.probability } : null;
  const onTheme = theme === null || theme.onTheme;
  const bar = onTheme ? profile.attachThreshold : profile.followUpThreshold;

  if (best !== undefined && best.probability >= bar) {
    return {
      decision: "attached",
      onTheme: true,
      theme,
      eventId: best.event.id,
      probability: best.probability,
      runnerUp,
      copyOf: null,
      signals: best.signals,
      candidates: candidates.length,
      reconsidered: false,
    };
  }
  const storyTheme = onTheme || theme === null ? null : storyThemeScore(matcher, prepared);
  if (!onTheme && storyTheme === null)
    return {
      ...offTheme,
      candidates: candidates.length,
      runnerUp: best ? { eventId: best.event.id, probability: best.probability } : null,
    };
  return {
    decision: "new-event",
    onTheme: true,
    theme: storyTheme ?? theme,
    eventId: eventIdFor(matcher.themeId, prepared.input.id),
    // A new event has no probability of its own; the closest event it turned down is the runner-up.
    probability: null,
    runnerUp: best ? { eventId: best.event.id, probability: best.probability } : null,
    copyOf: null,
    signals: best?.signals ?? null,
    candidates: candidates.length,
    reconsidered: false,
  };
}

/** Each prepared article's theme evidence, worked out once (pooled reports are read again and again). */
const evidenceByArticle = new WeakMap<PreparedArticle, ThemeEvidence>();

function evidenceOf(theme: CompiledTheme, prepared: PreparedArticle): ThemeEvidence {
  let evidence = evidenceByArticle.get(prepared);
  if (evidence === undefined) {
    evidence = themeEvidence(theme, prepared.features);
    evidenceByArticle.set(prepared, evidence);
  }
  return evidence;
}

/**
 * The theme score of the story an off-theme article would open with the earlier off-theme
 * reports it would claim (the pool): an attack's first reports name no group, a later one
 * does; or a report names the group in passing and its story's other reports carry the rest.
 * Returns that score when the story together is on-theme (anchored by at least one report),
 * else null. Reads the matcher, changes nothing.
 */
function storyThemeScore(matcher: Matcher, prepared: PreparedArticle): ThemeScore | null {
  const theme = matcher.theme;
  if (theme === null || matcher.pending.length === 0) return null;
  // The most the story could have: this report with every pooled one near it in time. Most
  // off-theme reports fall short of the theme even so, and the claims need not be worked out.
  const reach = 2 * PENDING_LIMITS.windowDays * DAY_MS;
  const near = matcher.pending.filter((entry) => Math.abs(entry.vectors.time - prepared.vectors.time) <= reach);
  const bound = scoreEvidence(theme, poolEvidence([prepared, ...near].map((entry) => evidenceOf(theme, entry))));
  if (!bound.onTheme) return null;
  const opened = nextEventState(matcher, prepared, {
    ...explain(null, {}),
    decision: "new-event",
    onTheme: true,
    eventId: eventIdFor(matcher.themeId, prepared.input.id),
  }) as EventState;
  const { claimed } = reconsiderPending(matcher, opened);
  if (claimed.length === 0) return null;
  const pooled = poolEvidence(
    [prepared, ...claimed.map((entry) => entry.prepared)].map((entry) => themeEvidence(theme, entry.features)),
  );
  const score = scoreEvidence(theme, pooled);
  return score.onTheme ? { ...score, story: { articles: claimed.length + 1 } } : null;
}

/** The id of the event an article opens: stable, so a retried write names the same event. */
export function eventIdFor(themeId: string, articleId: string): string {
  return hashId("event", themeId, articleId);
}

function member(prepared: PreparedArticle, copyOf: string | null, attribution: Attribution): EventMember {
  return {
    articleId: prepared.input.id,
    sourceId: prepared.input.sourceId,
    publishedAt: prepared.input.publishedAt,
    simhash: prepared.features.simhash === null ? null : formatSimHash(prepared.features.simhash),
    contentHash: prepared.input.contentHash,
    copyOf,
    outlet: countedOutlet(attribution, copyOf)?.key ?? null,
    credit: attribution.credit?.name ?? null,
  };
}

/** Title and body terms in one vector, the title counting double: what "central" is judged on. */
export function combined(title: TermWeights, body: TermWeights): TermWeights {
  const out: TermWeights = new Map(body);
  for (const [term, weight] of title) out.set(term, (out.get(term) ?? 0) + 2 * weight);
  return out;
}

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);
const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * The event as it is after the decision: created, grown by an attached article, or counted once
 * more for a copy. Null for an off-theme article. Pure: the caller stores it and indexes it.
 */
export function nextEventState(
  matcher: Matcher,
  prepared: PreparedArticle,
  explanation: MatchExplanation,
  previous: EventState | undefined = explanation.eventId === null ? undefined : matcher.index.events.get(explanation.eventId),
): EventState | null {
  if (explanation.eventId === null || explanation.decision === "off-theme") return null;
  const { input, vectors } = prepared;
  const attribution = attributionOf(input);

  if (explanation.decision === "new-event" || previous === undefined) {
    const central = topWeights(combined(vectors.title, vectors.body), EVENT_LIMITS.centralTerms);
    const titleTerms = topWeights(vectors.title, EVENT_LIMITS.titleTerms);
    const bodyTerms = topWeights(vectors.body, EVENT_LIMITS.bodyTerms);
    return {
      id: explanation.eventId,
      theme: matcher.themeId,
      version: 1,
      seq: 0,
      title: input.title,
      centralArticleId: input.id,
      centralTerms: central,
      centralScore: 1,
      firstSeen: input.publishedAt,
      lastSeen: input.publishedAt,
      articleCount: 1,
      originalCount: 1,
      outlets: [attribution.credited],
      titleTerms,
      bodyTerms,
      entities: topEntities(vectors.entities),
      members: [member(prepared, null, attribution)],
      termWords: addTermWords(undefined, prepared.features.termWords, [...titleTerms.keys(), ...bodyTerms.keys()]),
    };
  }

  const members = [...previous.members, member(prepared, explanation.copyOf, attribution)].slice(-EVENT_LIMITS.members);
  const base = {
    ...previous,
    version: previous.version + 1,
    firstSeen: earlier(previous.firstSeen, input.publishedAt),
    lastSeen: later(previous.lastSeen, input.publishedAt),
    articleCount: previous.articleCount + 1,
    members,
    outlets: countOutlet(previous.outlets, countedOutlet(attribution, explanation.copyOf), input.sourceId, attribution.own),
  };
  // A copy is the same report again: it never moves the centroid, and counts only for the outlet it credits.
  if (explanation.decision === "copy") return base;

  const mass = previous.originalCount;
  const titleTerms = topWeights(blendWeights(previous.titleTerms, mass, vectors.title), EVENT_LIMITS.titleTerms);
  const bodyTerms = topWeights(blendWeights(previous.bodyTerms, mass, vectors.body), EVENT_LIMITS.bodyTerms);
  const entities = topEntities(blendEntities(previous.entities, mass, vectors.entities));
  const centroid = combined(titleTerms, bodyTerms);
  const newcomer = topWeights(combined(vectors.title, vectors.body), EVENT_LIMITS.centralTerms);
  const incumbentScore = idfCosine(previous.centralTerms, centroid, matcher.index.termIdf);
  const newcomerScore = idfCosine(newcomer, centroid, matcher.index.termIdf);
  const takeOver = newcomerScore > incumbentScore;
  return {
    ...base,
    originalCount: mass + 1,
    titleTerms,
    bodyTerms,
    entities,
    termWords: addTermWords(previous.termWords, prepared.features.termWords, [...titleTerms.keys(), ...bodyTerms.keys()]),
    title: takeOver ? input.title : previous.title,
    centralArticleId: takeOver ? input.id : previous.centralArticleId,
    centralTerms: takeOver ? newcomer : previous.centralTerms,
    centralScore: takeOver ? newcomerScore : incumbentScore,
  };
}

function blendEntities(old: EventState["entities"], mass: number, added: EventState["entities"]): EventState["entities"] {
  const out: EventState["entities"] = new Map();
  for (const [key, entry] of old) out.set(key, { type: entry.type, weight: (entry.weight * mass) / (mass + 1) });
  for (const [key, entry] of added) {
    const seen = out.get(key);
    out.set(key, { type: entry.type, weight: (seen?.weight ?? 0) + entry.weight / (mass + 1) });
  }
  return out;
}

function topEntities(entities: EventState["entities"]): EventState["entities"] {
  if (entities.size <= EVENT_LIMITS.entities) return entities;
  return new Map([...entities.entries()].sort((a, b) => b[1].weight - a[1].weight).slice(0, EVENT_LIMITS.entities));
}

/** How long, and how many, off-theme articles wait for a story that may claim them. */
export const PENDING_LIMITS = { windowDays: 3, size: 2000 } as const;

/**
 * The article as the pending pool reads it: title and summary, as a stored item has them, with
 * the fingerprint of its full text when there is one (copies are told by full texts).
 */
export function preparePending(matcher: Matcher, input: MatchInput, fingerprint: PreparedArticle | null = null): PreparedArticle {
  const prepared = prepareArticle(matcher, { ...input, text: input.summary });
  // Whose report it is is read from the whole text, where a closing credit is.
  rememberAttribution(prepared.input, attributionOf(input));
  if (fingerprint === null || fingerprint.features.simhash === null) return prepared;
  return { ...prepared, features: { ...prepared.features, simhash: fingerprint.features.simhash } };
}

/** Adds an off-theme article to the pool (once), dropping those too old to be claimed now. */
export function addPending(matcher: Matcher, pending: PreparedArticle): void {
  const horizon = pending.vectors.time - PENDING_LIMITS.windowDays * DAY_MS;
  const kept = matcher.pending.filter((entry) => entry.vectors.time >= horizon && entry.input.id !== pending.input.id);
  matcher.pending = [...kept, pending].slice(-PENDING_LIMITS.size);
}

export type Reconsidered = { prepared: PreparedArticle; explanation: MatchExplanation };

/**
 * The pooled off-theme articles that an event, as it now stands, claims: close in time and
 * matching it as strongly as a follow-up must. Returns them with the event grown by each; the
 * caller removes them from the pool once the change is stored.
 */
export function reconsiderPending(
  matcher: Matcher,
  event: EventState,
  limit = Number.POSITIVE_INFINITY,
): { claimed: Reconsidered[]; event: EventState } {
  const claimed: Reconsidered[] = [];
  let current = event;
  const windowMs = PENDING_LIMITS.windowDays * DAY_MS;
  for (const prepared of matcher.pending) {
    if (claimed.length >= limit) break;
    const gap = Math.max(
      0,
      prepared.vectors.time - Date.parse(current.lastSeen),
      Date.parse(current.firstSeen) - prepared.vectors.time,
    );
    if (gap > windowMs) continue;
    const copy = findCopy(prepared, [current], matcher.model.copyMaxHamming);
    const profile = profileFor(matcher.model, prepared.vectors);
    const signals = computeSignals(prepared.vectors, current, matcher.index);
    const probability = matchProbability(profile, signals);
    if (copy === null && probability < profile.followUpThreshold) continue;
    const explanation: MatchExplanation = {
      decision: copy === null ? "attached" : "copy",
      onTheme: true,
      theme: matcher.theme === null ? null : scoreTheme(matcher.theme, prepared.features),
      eventId: current.id,
      probability,
      runnerUp: null,
      copyOf: copy === null ? null : (copy.member.copyOf ?? copy.member.articleId),
      signals,
      candidates: 1,
      reconsidered: true,
    };
    current = nextEventState(matcher, prepared, explanation, current) as EventState;
    claimed.push({ prepared, explanation });
  }
  // Growing by claims is part of the same change: the event keeps the version it came in with.
  return { claimed, event: { ...current, version: event.version } };
}

/** Removes claimed articles from the pool. */
export function removePending(matcher: Matcher, ids: ReadonlySet<string>): void {
  if (ids.size > 0) matcher.pending = matcher.pending.filter((entry) => !ids.has(entry.input.id));
}

/**
 * Decides and applies in one step, for streams matched in memory (evaluation, import). Returns
 * the article's explanation, the event it changed, and any pooled articles the event claimed.
 */
export function matchInMemory(
  matcher: Matcher,
  input: MatchInput,
): { explanation: MatchExplanation; event: EventState | null; reconsidered: Reconsidered[] } {
  const prepared = prepareArticle(matcher, input);
  const explanation = decideMatch(matcher, prepared);
  let event = nextEventState(matcher, prepared, explanation);
  if (event === null) {
    if (matcher.theme !== null) addPending(matcher, preparePending(matcher, input, prepared));
    return { explanation, event, reconsidered: [] };
  }
  const { claimed, event: grown } = reconsiderPending(matcher, event);
  event = grown;
  matcher.index.upsert(event);
  removePending(matcher, new Set(claimed.map((entry) => entry.prepared.input.id)));
  return { explanation, event, reconsidered: claimed };
}

/** The explanation of an imported article: it goes to `eventId`, or opens its own event. */
export function importExplanation(matcher: Matcher, prepared: PreparedArticle, eventId: string | null): MatchExplanation {
  return explain(matcher.theme === null ? null : scoreTheme(matcher.theme, prepared.features), {
    decision: "imported",
    onTheme: true,
    eventId: eventId ?? eventIdFor(matcher.themeId, prepared.input.id),
  });
}

/** Adds a known article to an event as imported, bypassing the decision (existing events). */
export function importIntoEvent(matcher: Matcher, input: MatchInput, eventId: string | null): EventState {
  const prepared = prepareArticle(matcher, input);
  const known = eventId === null ? undefined : matcher.index.events.get(eventId);
  const event = nextEventState(matcher, prepared, importExplanation(matcher, prepared, known?.id ?? null)) as EventState;
  matcher.index.upsert(event);
  return event;
}
