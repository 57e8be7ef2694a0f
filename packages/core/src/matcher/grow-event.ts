import type { Attribution } from "../outlets/attribution";
import { formatSimHash } from "../text-features/simhash";
import { EVENT_LIMITS, type EventMember, type EventState, type TermWeights, topWeights } from "./event";
import { addToGrowth, growthOfMembers } from "./event-growth";
import { attributionOf, countedOutlet, countOutlet } from "./event-outlets";
import type { MatchExplanation, Matcher, PreparedArticle } from "./matcher";
import { addTermWords } from "./term-words";
import { blendWeights, idfCosine } from "./vectors";

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
  const attribution = attributionOf(prepared.whole ?? input);

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
      growth: addToGrowth(undefined, input.publishedAt, input.publishedAt),
    };
  }

  const members = [...previous.members, member(prepared, explanation.copyOf, attribution)].slice(-EVENT_LIMITS.members);
  const firstSeen = earlier(previous.firstSeen, input.publishedAt);
  // An event stored before growth was kept starts from its members when they are all its articles.
  const grownFrom = previous.growth ?? growthOfMembers(previous);
  const base = {
    ...previous,
    version: previous.version + 1,
    firstSeen,
    lastSeen: later(previous.lastSeen, input.publishedAt),
    articleCount: previous.articleCount + 1,
    members,
    outlets: countOutlet(previous.outlets, countedOutlet(attribution, explanation.copyOf), input.sourceId, attribution.own),
    ...(grownFrom === undefined ? {} : { growth: addToGrowth(grownFrom, input.publishedAt, firstSeen) }),
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
