import type { EventState } from "../matcher/event";
import { type EventFilter, entityKeys, eventMatchesFilter, searchTerms } from "../search";
import type { ThemeDefinition } from "../text-features/theme-score";

/** The message types a subscription can ask for. */
export const WEBHOOK_TYPES = [
  "event.created",
  "event.updated",
  "event.corroborated",
  "event.merged",
  "event.split",
  "article.added",
  "subscription.disabled",
] as const;

export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** A subscription's `types` entry that takes every type, those added later included. */
export const ALL_TYPES = "*";

/** What a subscription lists in `types`: message types, or `*` for all of them. */
export type SubscribedType = WebhookType | typeof ALL_TYPES;

/** Whether a subscription that lists `types` wants messages of `type`: listed, or `*` listed. */
export function wantsType(types: readonly SubscribedType[], type: WebhookType): boolean {
  return types.includes(type) || types.includes(ALL_TYPES);
}

/** Every message type, `ping` (sent on demand by the test route) included. */
export type MessageType = WebhookType | "ping";

/** What a subscription wants to hear about; every field that is set must hold. */
export type SubscriptionFilter = {
  theme: string;
  /** Only these events; null: any. */
  eventIds: string[] | null;
  /** Any one of these entities must be among the event's (a theme entity's id or name, or a proper name). */
  entities: string[] | null;
  /** Words that must all occur in the event's title, words or entity names. */
  keywords: string[] | null;
  /**
   * Fewest distinct sources (the event's outlets: see `EventState.outlets`) before any message
   * about the event is sent; `event.corroborated` fires when the count reaches it (2 when unset).
   */
  minSources: number | null;
};

export type SubscriptionState = "active" | "paused" | "disabled";

export type SigningSecret = { secret: string; createdAt: string; expiresAt: string | null };

export type Subscription = {
  id: string;
  url: string;
  description: string | null;
  types: SubscribedType[];
  filter: SubscriptionFilter;
  state: SubscriptionState;
  disabledReason: string | null;
  disabledAt: string | null;
  /** The first failure since the last success; null while the endpoint answers. */
  failingSince: string | null;
  lastSuccessAt: string | null;
  /** The newest first; an older one signs too until it expires. */
  secrets: SigningSecret[];
  /** The theme's change sequence when the subscription was made: it hears of later changes only. */
  startSeq: number;
  createdAt: string;
  updatedAt: string;
};

/** An event's article and distinct-source counts at one moment. */
export type ChangeCounts = { articleCount: number; sourceCount: number };

/**
 * What a maintenance decision changed, beside its event (`eventId`: a merge's successor, a
 * split's kept event): the other event (the merged-away one, or the one a split opened), its
 * counts (before the merge; after the split), the articles that moved, and why.
 */
export type ChangeCorrection = {
  relatedEventId: string;
  relatedCounts: ChangeCounts;
  /** The moved articles' ids, the first `MOVED_IDS_IN_CHANGE` of them (a split's; a merge moves all of the other's). */
  movedArticleIds: string[];
  movedCount: number;
  summary: string;
};

/** How many moved article ids a change (and so an `event.split` message) carries. */
export const MOVED_IDS_IN_CHANGE = 500;

/**
 * One stored change of a theme's events, as the matcher's transaction (created, updated) or a
 * maintenance pass (merged, split) writes it: the outbox.
 */
export type EventChange = {
  themeId: string;
  seq: number;
  at: string;
  eventId: string;
  kind: "created" | "updated" | "merged" | "split";
  /** The article whose match made the change ("" for a maintenance change). */
  articleId: string;
  /** Older articles the event claimed in the same change. */
  claimedArticleIds: string[];
  before: ChangeCounts | null;
  after: ChangeCounts;
  /** Present on merged and split changes. */
  correction?: ChangeCorrection;
};

/** The corroboration threshold of a filter: its `minSources`, else 2 (a second outlet). */
export function corroborationThreshold(filter: SubscriptionFilter): number {
  return Math.max(2, filter.minSources ?? 2);
}

/** The event filter of a subscription, in the form the search applies it. */
export function compileSubscriptionFilter(filter: SubscriptionFilter, theme: ThemeDefinition | undefined): EventFilter {
  return {
    terms: (filter.keywords ?? []).flatMap(searchTerms),
    entityKeys: filter.entities === null ? null : filter.entities.flatMap((name) => entityKeys(name, theme)),
    minSources: 0,
    until: null,
  };
}

export type PlannedMessage = { type: WebhookType; articleId: string | null };

/**
 * The messages one event change means for one subscription, in the order they are sent:
 * `event.created` or `event.updated`, then `article.added` for the article and any it claimed,
 * then `event.corroborated` when this change took the distinct sources to the threshold. With
 * `minSources`, nothing is sent about an event until it has that many sources.
 */
export function planMessages(
  change: EventChange,
  subscription: Pick<Subscription, "types" | "filter" | "startSeq">,
  event: EventState,
  compiled: EventFilter,
  related?: EventState,
): PlannedMessage[] {
  const { filter, types } = subscription;
  if (change.seq <= subscription.startSeq || change.themeId !== filter.theme) return [];
  if (change.correction !== undefined) return planCorrection(change, change.correction, subscription, [event, related], compiled);
  if (filter.eventIds !== null && !filter.eventIds.includes(change.eventId)) return [];
  if (filter.minSources !== null && change.after.sourceCount < filter.minSources) return [];
  if (!eventMatchesFilter(event, compiled)) return [];
  const planned: PlannedMessage[] = [];
  const changeType = change.kind === "created" ? "event.created" : "event.updated";
  if (wantsType(types, changeType)) planned.push({ type: changeType, articleId: null });
  if (wantsType(types, "article.added")) {
    for (const articleId of [change.articleId, ...change.claimedArticleIds]) planned.push({ type: "article.added", articleId });
  }
  if (corroborates(change, subscription)) planned.push({ type: "event.corroborated", articleId: null });
  return planned;
}

/** Whether the change took the event's distinct sources to the subscription's threshold. */
function corroborates(change: EventChange, subscription: Pick<Subscription, "types" | "filter">): boolean {
  const threshold = corroborationThreshold(subscription.filter);
  const before = change.before?.sourceCount ?? 0;
  return wantsType(subscription.types, "event.corroborated") && before < threshold && change.after.sourceCount >= threshold;
}

/**
 * The messages of a maintenance change: `event.merged` or `event.split`, for a subscription that
 * follows either event (`eventIds`), that either event's words or entities match, and once
 * either side has had `minSources` (a subscriber told of an event hears that it merged or split,
 * even when the part it kept has fewer sources now). A merge that takes the successor's sources
 * to the threshold is also `event.corroborated`.
 */
function planCorrection(
  change: EventChange,
  correction: ChangeCorrection,
  subscription: Pick<Subscription, "types" | "filter">,
  events: readonly (EventState | undefined)[],
  compiled: EventFilter,
): PlannedMessage[] {
  const { filter, types } = subscription;
  const merged = change.kind === "merged";
  if (filter.eventIds !== null && !filter.eventIds.some((id) => id === change.eventId || id === correction.relatedEventId))
    return [];
  const sources = Math.max(change.after.sourceCount, change.before?.sourceCount ?? 0, correction.relatedCounts.sourceCount);
  if (filter.minSources !== null && sources < filter.minSources) return [];
  if (!events.some((event) => event !== undefined && eventMatchesFilter(event, compiled))) return [];
  const planned: PlannedMessage[] = [];
  const type = merged ? "event.merged" : "event.split";
  if (wantsType(types, type)) planned.push({ type, articleId: null });
  if (merged && corroborates(change, subscription)) planned.push({ type: "event.corroborated", articleId: null });
  return planned;
}

/**
 * pending: waiting for its next attempt; sending: an attempt holds the lease; delivered: a 2xx
 * came back; failed: given up (attempts used up, or 410); held: its subscription is paused or
 * disabled (resuming sends it); cancelled: its subscription was deleted.
 */
export type DeliveryState = "pending" | "sending" | "delivered" | "failed" | "held" | "cancelled";

/** One message to one subscription and the state of its delivery (the message id is the delivery id). */
export type WebhookMessage = {
  id: string;
  subscriptionId: string;
  type: MessageType;
  /** The JSON body exactly as every attempt sends and signs it. */
  body: string;
  createdAt: string;
  /** Sorts the subscription's messages in the order they were made; the catch-up cursor. */
  position: string;
  state: DeliveryState;
  attempts: number;
  /** When the next attempt is due (pending), or when the current lease runs out (sending). */
  dueAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
};

/** One attempt to deliver a message, as the delivery log lists it. */
export type DeliveryAttempt = {
  messageId: string;
  subscriptionId: string;
  type: MessageType;
  attempt: number;
  at: string;
  url: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  outcome: "delivered" | "retry" | "failed" | "disabled";
  nextAttemptAt: string | null;
};

/** How old a change after a gap in the sequence must be before the gap is taken as lasting. */
const GAP_SETTLE_MS = 60_000;

/**
 * The changes that follow `position` in an unbroken sequence. One commit writes many changes,
 * and a query may see some of them before the rest (DynamoDB's reads are read-committed, not a
 * snapshot), so the changes after a gap are read again later. A change past a gap that is a
 * minute old stays: by then its commit is visible whole, and the gap is the log's expiry. The
 * webhook fan-out and the matcher cache's catch-up both read the log through it.
 */
export function withoutGaps<C extends Pick<EventChange, "seq" | "at">>(position: number, changes: readonly C[], now: Date): C[] {
  const kept: C[] = [];
  let expected = position + 1;
  for (const change of changes) {
    if (change.seq !== expected && now.getTime() - Date.parse(change.at) < GAP_SETTLE_MS) break;
    kept.push(change);
    expected = change.seq + 1;
  }
  return kept;
}
