import { applyDecision, type EventState, type EventWithArticles, errorMessage, type MaintenanceDecision } from "@eventwire/core";
import { firstTheme, type PipelineDeps } from "../deps";
import type { ThemeMatcherCache } from "../matcher-cache";
import { serialised, syncMatcherCache } from "../matcher-cache-sync";
import { decisionCommit, heldAfter } from "./decision-commit";
import { type HeldEvents, readRecentEvents, readWhole } from "./read-events";

/** Times a pass plans again after its writes met a change made elsewhere, before leaving the rest to the next pass. */
const PLAN_ATTEMPTS = 3;

/** A decision a pass stored: `eventId` kept its id (a merge's successor, a split's kept event). */
export type StoredDecision = {
  kind: "merge" | "split";
  eventId: string;
  /** The merged-away event, or the one the split opened. */
  otherEventId: string;
  /** Articles that changed event. */
  articles: number;
  summary: string;
  /** The theme's change that records it. */
  seq: number;
};

export type MaintenanceSummary = {
  themeId: string;
  startedAt: string;
  finishedAt: string;
  /** Recent events read whole and handed to the planner. */
  examined: number;
  /** Recent events left out because their articles did not add up (an index behind, moves under way). */
  incomplete: number;
  decisions: StoredDecision[];
  /** Decisions that could not be applied (an event not read whole, a split that would empty one side). */
  skipped: number;
  /** Articles moved, those of an earlier pass that stopped before moving them included. */
  moved: number;
  /** Lists of moves an earlier pass left unfinished, finished by this one. */
  resumed: number;
  /** Times the theme changed under the pass, which then planned again on fresh state. */
  replanned: number;
};

type Outcome = { kind: "stored"; decision: StoredDecision } | { kind: "skipped" } | { kind: "stale" };

/** Finishes every list of moves the theme holds: the articles moved, each list deleted once done. */
async function finishPendingMoves(deps: PipelineDeps, themeId: string): Promise<{ lists: number; moved: number }> {
  const pending = await deps.store.events.pendingMoves(themeId);
  let moved = 0;
  for (const moves of pending) {
    moved += await deps.store.events.moveArticles(moves);
    await deps.store.events.finishMoves(moves);
  }
  return { lists: pending.length, moved };
}

/** Reads, whole, the events a decision names that the pass does not hold yet; false when one cannot be. */
async function holdEventsOf(deps: PipelineDeps, held: HeldEvents, ids: readonly string[]): Promise<boolean> {
  const missing = ids.filter((id) => !held.has(id));
  if (missing.length === 0) return true;
  const { live } = await deps.store.events.getLive(missing);
  const { whole } = await readWhole(deps, live);
  for (const entry of whole) held.set(entry.event.id, entry);
  return missing.every((id) => held.has(id));
}

/** Applies one decision on the events the pass holds and stores it; the cache and `held` follow it. */
async function storeDecision(
  deps: PipelineDeps,
  cache: ThemeMatcherCache,
  held: HeldEvents,
  decision: MaintenanceDecision,
): Promise<Outcome> {
  const named = decision.kind === "merge" ? [decision.into, decision.from] : [decision.from];
  if (!(await holdEventsOf(deps, held, named))) {
    deps.log.warn("maintenance decision skipped: its events could not be read whole", { ...describe(decision) });
    return { kind: "skipped" };
  }
  // A split's new event may have been stored before (opened, then merged away): it is written over.
  const opened = decision.kind === "split" ? await deps.store.events.get(decision.into) : null;
  if (opened !== null && (held.has(opened.id) || (await deps.store.events.getLive([opened.id])).live.length > 0)) {
    deps.log.warn("maintenance decision skipped: a split names an event that is live", { ...describe(decision) });
    return { kind: "skipped" };
  }
  const events: Map<string, EventWithArticles> = new Map(held);
  if (opened !== null) events.set(opened.id, { event: opened, articles: [] });
  let input: ReturnType<typeof decisionCommit>;
  try {
    input = decisionCommit(applyDecision(cache.matcher, decision, events), held, opened, cache.seq, deps.now());
  } catch (error) {
    return cannotApply(deps, decision, errorMessage(error));
  }
  const outcome = await deps.store.events.commitDecision(input);
  // More than the store can write as one decision: nothing was written.
  if (outcome.kind === "refused") return cannotApply(deps, decision, outcome.reason);
  if (outcome.kind === "stale") {
    deps.log.info("maintenance decision met a change made elsewhere; planning again", { ...describe(decision), ...outcome });
    return { kind: "stale" };
  }
  const stored: EventState[] = input.events.map((entry) => entry.event);
  for (const retired of input.retired) {
    cache.matcher.index.remove(retired.id);
    held.delete(retired.id);
  }
  for (const event of stored) cache.matcher.index.upsert(event);
  for (const entry of heldAfter(decision, held, stored)) held.set(entry.event.id, entry);
  cache.seq = outcome.seq;
  const result: StoredDecision = {
    kind: decision.kind,
    eventId: input.change.eventId,
    otherEventId: input.change.relatedEventId,
    articles: input.moves.articleIds.length,
    summary: decision.explanation.summary,
    seq: outcome.seq,
  };
  deps.log.info("maintenance decision stored", { ...result });
  return { kind: "stored", decision: result };
}

function describe(decision: MaintenanceDecision) {
  return { kind: decision.kind, from: decision.from, into: decision.into };
}

/** A decision that cannot be applied or stored (`why`) is skipped, and the pass goes on. */
function cannotApply(deps: PipelineDeps, decision: MaintenanceDecision, why: string): Outcome {
  deps.log.warn("maintenance decision skipped: it cannot be applied", { ...describe(decision), error: why });
  return { kind: "skipped" };
}

/**
 * A maintenance pass over one theme's recent events (`themeId`, the first theme when absent; an
 * event never spans themes, so each theme's pass is its own): first it finishes the
 * moves an earlier pass left undone, then it reads the events last seen within
 * `MAINTENANCE_LIMITS.windowDays` with all their articles, asks `deps.planner` which to merge or
 * split, and stores each decision in order (`applyDecision`'s states, written over the versions
 * read, on the theme's change sequence; then the articles' moves). A decision that meets a change
 * made elsewhere (an ingest, another pass) writes nothing; the pass then reads again and plans
 * again, a few times. A pass with nothing to do writes nothing. Runs on the theme's matcher
 * cache, one run at a time in this process, and leaves the cache as the table is.
 */
export function maintainEvents(deps: PipelineDeps, themeId = firstTheme(deps).id): Promise<MaintenanceSummary> {
  return serialised(deps, themeId, async (cache) => {
    const themeId = cache.matcher.themeId;
    const summary: MaintenanceSummary = {
      themeId,
      startedAt: deps.now().toISOString(),
      finishedAt: "",
      examined: 0,
      incomplete: 0,
      decisions: [],
      skipped: 0,
      moved: 0,
      resumed: 0,
      replanned: 0,
    };
    const resumed = await finishPendingMoves(deps, themeId);
    summary.resumed = resumed.lists;
    summary.moved += resumed.moved;
    for (let attempt = 1; attempt <= PLAN_ATTEMPTS; attempt += 1) {
      await syncMatcherCache(deps, cache);
      const now = deps.now();
      const recent = await readRecentEvents(deps, cache, now);
      summary.examined = recent.whole.length;
      summary.incomplete = recent.incomplete.length;
      const decisions = deps.planner(cache.matcher, recent.whole, now.toISOString());
      const held: HeldEvents = new Map(recent.whole.map((entry) => [entry.event.id, entry]));
      let stale = false;
      for (const decision of decisions) {
        const outcome = await storeDecision(deps, cache, held, decision);
        if (outcome.kind === "skipped") summary.skipped += 1;
        if (outcome.kind === "stale") {
          stale = true;
          break;
        }
        if (outcome.kind === "stored") {
          summary.decisions.push(outcome.decision);
          summary.moved += (await finishPendingMoves(deps, themeId)).moved;
        }
      }
      if (!stale) break;
      summary.replanned += 1;
      if (attempt === PLAN_ATTEMPTS) deps.log.warn("maintenance pass stopped: the theme kept changing under it", { themeId });
    }
    summary.finishedAt = deps.now().toISOString();
    return summary;
  });
}
