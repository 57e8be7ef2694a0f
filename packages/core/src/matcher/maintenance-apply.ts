import type { EventState } from "./event";
import { nextEventState } from "./grow-event";
import { explain, type Matcher, type MatchInput, type PreparedArticle } from "./matcher";
import { prepareArticle } from "./prepare-article";

/** An article of an event as a maintenance pass reads it: what the matcher reads, and whether it was taken as a copy. */
export type MaintenanceArticle = { input: MatchInput; copyOf: string | null };

/** An event with all its articles, in publication order (ties by id). */
export type EventWithArticles = { event: EventState; articles: MaintenanceArticle[] };

/** Why a maintenance decision was taken: a sentence for people, and the figures behind it. */
export type MaintenanceExplanation = { summary: string; signals: Record<string, number> };

/** Two events that are one happening: `from` is folded into `into`, which keeps its id. */
export type MergeDecision = { kind: "merge"; into: string; from: string; explanation: MaintenanceExplanation };

/**
 * An event that holds two happenings: the articles `articleIds` leave `from` (the part with its
 * central article stays) and open the event `into` (`eventIdFor` of the moved part's earliest
 * article, so a retried pass names the same event).
 */
export type SplitDecision = {
  kind: "split";
  from: string;
  into: string;
  articleIds: string[];
  explanation: MaintenanceExplanation;
};

export type MaintenanceDecision = MergeDecision | SplitDecision;

/**
 * How far back a maintenance pass looks: events last seen within `windowDays` of its time are
 * re-examined (with all their articles); an ingest run that stored at least `afterStored`
 * articles is followed by a pass.
 */
export const MAINTENANCE_LIMITS = { windowDays: 7, afterStored: 50 } as const;

/**
 * Decides which of the recent events to merge or split, reading the matcher (its index holds
 * them, and older events) and changing nothing. Decisions are in the order they are to be
 * applied, each on the state the earlier ones leave; `now` is the pass's time.
 */
export type MaintenancePlanner = (matcher: Matcher, recent: readonly EventWithArticles[], now: string) => MaintenanceDecision[];

/** What a decision leaves: the events' new states, a merged-away event with its successor, the articles that moved. */
export type AppliedDecision = {
  decision: MaintenanceDecision;
  /** The surviving or kept event first, then a split's new event. */
  events: EventState[];
  retired: { id: string; mergedInto: string }[];
  moved: { articleId: string; from: string; to: string }[];
};

function byPublication(a: MaintenanceArticle, b: MaintenanceArticle): number {
  const time = Date.parse(a.input.publishedAt) - Date.parse(b.input.publishedAt);
  return time !== 0 ? time : a.input.id < b.input.id ? -1 : a.input.id > b.input.id ? 1 : 0;
}

/**
 * An event built again from its articles, replayed in publication order through the same
 * growth the matcher applies (centroids, centre, outlets, members), with `previous`'s version
 * carried on so a conditional write over it succeeds. A copy stays a copy while its original is
 * still in the event; otherwise it counts as an original. `prepare` reads an article (a planner
 * trying several groupings passes one that remembers).
 */
export function rebuildEvent(
  matcher: Matcher,
  id: string,
  articles: readonly MaintenanceArticle[],
  previous: Pick<EventState, "version" | "seq"> | undefined,
  prepare: (input: MatchInput) => PreparedArticle = (input) => prepareArticle(matcher, input),
): EventState {
  const ordered = [...articles].sort(byPublication);
  if (ordered.length === 0) throw new Error(`rebuildEvent: event ${id} would have no articles`);
  const present = new Set(ordered.map((article) => article.input.id));
  let event: EventState | undefined;
  for (const article of ordered) {
    const prepared = prepare(article.input);
    const copyOf = event !== undefined && article.copyOf !== null && present.has(article.copyOf) ? article.copyOf : null;
    const decision = event === undefined ? "new-event" : copyOf !== null ? "copy" : "attached";
    event = nextEventState(
      matcher,
      prepared,
      explain(null, { decision, onTheme: true, eventId: id, copyOf }),
      event,
    ) as EventState;
  }
  const built = event as EventState;
  return { ...built, version: (previous?.version ?? 0) + 1, seq: previous?.seq ?? 0 };
}

/**
 * The events a decision leaves, built again from their articles. `events` holds the decision's
 * events with all their articles. Pure: the caller stores the result (and re-indexes it).
 */
export function applyDecision(
  matcher: Matcher,
  decision: MaintenanceDecision,
  events: ReadonlyMap<string, EventWithArticles>,
): AppliedDecision {
  const read = (id: string): EventWithArticles => {
    const found = events.get(id);
    if (found === undefined) throw new Error(`applyDecision: event ${id} was not read`);
    return found;
  };
  if (decision.kind === "merge") {
    const into = read(decision.into);
    const from = read(decision.from);
    const survivor = rebuildEvent(matcher, into.event.id, [...into.articles, ...from.articles], into.event);
    return {
      decision,
      events: [survivor],
      retired: [{ id: from.event.id, mergedInto: into.event.id }],
      moved: from.articles.map((article) => ({ articleId: article.input.id, from: from.event.id, to: into.event.id })),
    };
  }
  const from = read(decision.from);
  if (decision.articleIds.includes(from.event.centralArticleId))
    throw new Error(`applyDecision: a split of ${from.event.id} must keep its central article`);
  const leaving = new Set(decision.articleIds);
  const staying = from.articles.filter((article) => !leaving.has(article.input.id));
  const moving = from.articles.filter((article) => leaving.has(article.input.id));
  if (moving.length === 0 || staying.length === 0)
    throw new Error(`applyDecision: a split of ${from.event.id} must leave articles on both sides`);
  const kept = rebuildEvent(matcher, from.event.id, staying, from.event);
  const opened = rebuildEvent(matcher, decision.into, moving, events.get(decision.into)?.event);
  return {
    decision,
    events: [kept, opened],
    retired: [],
    moved: moving.map((article) => ({ articleId: article.input.id, from: from.event.id, to: decision.into })),
  };
}

/** Applies a decision to an in-memory matcher (evaluation): the new states indexed, a merged-away event dropped. */
export function applyInMemory(matcher: Matcher, applied: AppliedDecision): void {
  for (const retired of applied.retired) matcher.index.remove(retired.id);
  for (const event of applied.events) matcher.index.upsert(event);
}
