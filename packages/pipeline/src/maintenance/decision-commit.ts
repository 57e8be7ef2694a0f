import {
  type AppliedDecision,
  byPublication,
  decisionCorrections,
  type EventState,
  type EventWithArticles,
  type MaintenanceDecision,
} from "@eventwire/core";
import type { CommitDecisionInput, EventCounts } from "@eventwire/store";
import type { HeldEvents } from "./read-events";

const countsOf = (event: EventState): EventCounts => ({ articleCount: event.articleCount, sourceCount: event.outlets.length });

/**
 * What to store for an applied decision, made on the theme's sequence `expectedSeq`: the events'
 * new states (numbered with the next sequence) over the versions `held` and `opened` read, the
 * merged-away event's marker, the change that announces it, the records on both events and the
 * articles to move. `opened`: a split's new event as stored before (merged away once, say), or
 * null when it never was.
 */
export function decisionCommit(
  applied: AppliedDecision,
  held: HeldEvents,
  opened: EventState | null,
  expectedSeq: number,
  now: Date,
): CommitDecisionInput {
  const { decision } = applied;
  const seq = expectedSeq + 1;
  const stored = (id: string): EventState => {
    const found = held.get(id)?.event ?? (opened?.id === id ? opened : undefined);
    if (found === undefined) throw new Error(`decision on ${id}: its stored state was not read`);
    return found;
  };
  const storedVersion = (id: string): number | null => held.get(id)?.event.version ?? (opened?.id === id ? opened.version : null);
  const events = applied.events.map((event) => ({
    event: { ...event, seq, version: (storedVersion(event.id) ?? 0) + 1 },
    previousVersion: storedVersion(event.id),
  }));
  const [main, second] = events.map((entry) => entry.event);
  if (main === undefined) throw new Error(`decision on ${decision.from}: it leaves no event`);
  const base = stored(decision.kind === "merge" ? decision.into : decision.from);
  const related = decision.kind === "merge" ? stored(decision.from) : second;
  if (related === undefined) throw new Error(`split of ${decision.from}: it opens no event`);
  return {
    themeId: base.theme,
    expectedSeq,
    change: {
      kind: decision.kind === "merge" ? "merged" : "split",
      eventId: main.id,
      relatedEventId: related.id,
      before: countsOf(base),
      after: countsOf(main),
      relatedCounts: countsOf(related),
      summary: decision.explanation.summary,
    },
    events,
    retired: applied.retired.map((retired) => ({
      ...retired,
      previousVersion: stored(retired.id).version,
    })),
    corrections: decisionCorrections(decision, now.toISOString()),
    moves: {
      themeId: base.theme,
      from: decision.from,
      to: decision.into,
      articleIds: applied.moved.map((move) => move.articleId),
    },
    now,
  };
}

/** The events a decision leaves, each with its articles, for the decisions after it in the same pass. */
export function heldAfter(decision: MaintenanceDecision, held: HeldEvents, stored: readonly EventState[]): EventWithArticles[] {
  const articlesOf = (id: string) => held.get(id)?.articles ?? [];
  const byId = new Map(stored.map((event) => [event.id, event]));
  const at = (id: string): EventState => byId.get(id) as EventState;
  if (decision.kind === "merge") {
    const articles = [...articlesOf(decision.into), ...articlesOf(decision.from)].sort((a, b) => byPublication(a.input, b.input));
    return [{ event: at(decision.into), articles }];
  }
  const leaving = new Set(decision.articleIds);
  const from = articlesOf(decision.from);
  return [
    { event: at(decision.from), articles: from.filter((article) => !leaving.has(article.input.id)) },
    { event: at(decision.into), articles: from.filter((article) => leaving.has(article.input.id)) },
  ];
}
