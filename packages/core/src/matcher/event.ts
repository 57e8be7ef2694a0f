import type { EntityType } from "../text-features/entities";
import type { EventGrowth } from "./event-growth";
import type { TermWords } from "./term-words";

/** Term weights, bounded to the strongest few so an event item stays small. */
export type TermWeights = Map<string, number>;

/** One article's place in an event, kept for copy detection and source counting. */
export type EventMember = {
  articleId: string;
  sourceId: string;
  publishedAt: string;
  /** 16 hex digits, or null for texts too short to fingerprint. */
  simhash: string | null;
  contentHash: string;
  /** The member this one is a copy of, if it is one. */
  copyOf: string | null;
  /**
   * The key of the outlet this member counts for (see `EventState.outlets`): the outlet it
   * credits, else its own source's; null for a copy that credits no one, which counts for none.
   */
  outlet: string | null;
  /** The credit the outlet was read from, as the article writes it ("Levant Wire", "AP"), if any. */
  credit: string | null;
};

/** An outlet an event counts: `key` compares, `name` is shown. */
export type EventOutlet = { key: string; name: string };

/** An event as the matcher holds it; the store keeps the same fields. */
export type EventState = {
  id: string;
  theme: string;
  /** Bumped on every change; the store writes an event only over the version it read. */
  version: number;
  /** The theme's change counter when this event last changed (orders changes for cache sync). */
  seq: number;
  title: string;
  centralArticleId: string;
  /** Terms of the central article, to re-judge centrality as the event grows. */
  centralTerms: TermWeights;
  centralScore: number;
  firstSeen: string;
  lastSeen: string;
  articleCount: number;
  /** Articles that are not copies: the mass behind the term centroids. */
  originalCount: number;
  /**
   * The distinct outlets reporting the event, first counted first: how corroborated it is (its
   * `sourceCount`). An article counts for the outlet it credits (a syndicated copy "(Levant
   * Wire)", a wire story "BEIRUT (Reuters) -"), else for its own source; a copy that credits no
   * one counts for none. So the count does not depend on whether a credited copy or its original
   * came first. Events stored before outlets were read hold their sources' ids here.
   */
  outlets: EventOutlet[];
  titleTerms: TermWeights;
  bodyTerms: TermWeights;
  entities: Map<string, { type: EntityType; weight: number }>;
  /** The most recent members, newest last. */
  members: EventMember[];
  /** The words its terms were written as, to show them; absent on events stored before they were kept. */
  termWords?: TermWords;
  /**
   * Its articles per hour (first two days) and per day, to draw how it grew; absent on events
   * stored before it was kept (`growthOfMembers` stands in while the members are all its articles).
   */
  growth?: EventGrowth;
};

/** Bounds on an event's representation (the store item must stay far below 400 KB). */
export const EVENT_LIMITS = {
  titleTerms: 100,
  bodyTerms: 80,
  entities: 40,
  centralTerms: 40,
  members: 60,
  outlets: 500,
} as const;

/** The strongest `limit` entries of a weight map. */
export function topWeights<K>(weights: Map<K, number>, limit: number): Map<K, number> {
  if (weights.size <= limit) return weights;
  return new Map([...weights.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit));
}

/** An event's `limit` strongest entities, strongest first: the ones it is shown with. */
export function leadingEntities(event: Pick<EventState, "entities">, limit: number) {
  return [...event.entities]
    .sort((a, b) => b[1].weight - a[1].weight)
    .slice(0, limit)
    .map(([name, entry]) => ({ name, type: entry.type, weight: entry.weight }));
}
