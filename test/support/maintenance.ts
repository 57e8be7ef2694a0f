import type { EventWithArticles, MaintenanceDecision, MaintenancePlanner } from "@eventwire/core";
import { maintainEvents, type PipelineDeps } from "@eventwire/pipeline";
import type { Store } from "@eventwire/store";
import type { Story } from "./events";

/**
 * A planner written for a test: it returns the decisions `decide` makes of the recent events by
 * id, and records what it was shown. The store side is what the tests exercise; which events to
 * merge or split is the planner's own business.
 */
export function fixedPlanner(decide: (byId: ReadonlyMap<string, EventWithArticles>) => MaintenanceDecision[]): {
  planner: MaintenancePlanner;
  seen: EventWithArticles[][];
} {
  const seen: EventWithArticles[][] = [];
  const planner: MaintenancePlanner = (_matcher, recent) => {
    seen.push([...recent]);
    return decide(new Map(recent.map((entry) => [entry.event.id, entry])));
  };
  return { planner, seen };
}

/** Merges the event `from` into `into` whenever both are among the recent events. */
export function mergeWhenRecent(into: string, from: string, summary = "the same happening, reported twice"): MaintenancePlanner {
  return fixedPlanner((byId) =>
    byId.has(into) && byId.has(from) ? [{ kind: "merge", into, from, explanation: { summary, signals: { title: 0.8 } } }] : [],
  ).planner;
}

/** Two stories of one happening (a merge's pair), each from its own outlets. */
export const TWIN_STORIES: Story[] = [
  {
    title: "Car bomb hits Raqqa market",
    articles: [
      { source: "outlet-a", published: "2026-05-03T08:00:00Z", title: "Car bomb hits Raqqa market, many dead" },
      { source: "outlet-b", published: "2026-05-03T09:00:00Z", title: "Raqqa market bombing kills dozens" },
    ],
  },
  {
    title: "Explosion in Raqqa marketplace",
    articles: [
      { source: "outlet-c", published: "2026-05-03T10:00:00Z", title: "Explosion in Raqqa marketplace" },
      { source: "outlet-d", published: "2026-05-03T11:00:00Z", title: "Raqqa marketplace blast: toll rises" },
      { source: "outlet-e", published: "2026-05-03T12:00:00Z", title: "Islamic State claims Raqqa blast" },
    ],
  },
];

/** `TWIN_STORIES` published in the hours before `at` (a pass on the real clock sees them as recent). */
export function twinStoriesBefore(at: Date): Story[] {
  const first = Date.parse(TWIN_STORIES[0]?.articles[0]?.published ?? "");
  const shift = at.getTime() - 6 * 3_600_000 - first;
  return TWIN_STORIES.map((story) => ({
    ...story,
    articles: story.articles.map((article) => ({
      ...article,
      published: new Date(Date.parse(article.published) + shift).toISOString(),
    })),
  }));
}

/** Every article id of the event's article index (the feed and listing partition). */
export async function articleIdsOf(store: Store, eventId: string): Promise<string[]> {
  return (await store.articles.idsByEvent(eventId)).sort();
}

/**
 * Leaves the merge of `from` into `into` stored but none of its articles moved, as a pass that
 * died right after its decision would: a pass whose moves fail.
 */
export async function unfinishedMerge(deps: PipelineDeps, into: string, from: string): Promise<void> {
  const events = deps.store.events;
  const dying: PipelineDeps = {
    ...deps,
    planner: mergeWhenRecent(into, from),
    store: {
      ...deps.store,
      events: {
        ...events,
        moveArticles: () => Promise.reject(new Error("the pass died here")),
      },
    },
  };
  const failure = await maintainEvents(dying).then(
    () => null,
    (error: Error) => error.message,
  );
  if (failure !== "the pass died here") throw new Error(`the pass was to die moving articles, not: ${failure}`);
}
