import type { EventWithArticles, MaintenanceDecision, MaintenancePlanner } from "@eventwire/core";
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

/** Every article id of the event's article index (the feed and listing partition). */
export async function articleIdsOf(store: Store, eventId: string): Promise<string[]> {
  return (await store.articles.idsByEvent(eventId)).sort();
}
