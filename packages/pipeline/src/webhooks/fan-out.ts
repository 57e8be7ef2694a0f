import {
  compileSubscriptionFilter,
  type EventChange,
  type EventState,
  findTheme,
  type MessageType,
  planMessages,
  type Subscription,
  withoutGaps,
} from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";
import pLimit from "p-limit";
import { firstTheme, type PipelineDeps } from "../deps";
import { claimedUnder, type MessageLease } from "./leases";
import { changeMessage } from "./new-message";

/**
 * Places a dispatcher keeps in an endpoint's pipeline for messages its own fan-out is storing
 * claimed: taken before the messages are written, so each one is sent as soon as it is stored,
 * no later than a message the dispatcher claims itself would be.
 */
export type Reservation = {
  /** One lease a place, for the first messages of the subscription's run, in order. */
  leases: readonly MessageLease[];
  /**
   * Hands over the messages stored under these leases (one another writer made first is not
   * this run's to send, so it is left out) and frees the places left; called once.
   */
  take(messages: readonly NewMessage[]): void;
};

/**
 * Asks a dispatcher for up to `count` places for one active subscription's new messages: null,
 * or fewer, when its endpoint (or the dispatcher) has no room now; the rest are stored pending.
 */
export type ClaimAhead = (subscription: Subscription, count: number) => Reservation | null;

/**
 * Turns the theme's stored event changes (the outbox the matcher's transaction writes) into
 * messages, one per subscription and type, from where the last fan-out stopped. A message's id
 * is a hash of the change, the subscription and the type, and it is stored only if absent, so
 * a fan-out that dies part-way, or two that run at once, make every message exactly once. A
 * change whose event or article cannot be read stops the fan-out before it (it is tried again
 * on the next run). Once it has caught up, it reads once more and stops there. `onMade` is
 * told each time a subscription's messages have been stored (a dispatcher sends them while the
 * fan-out goes on). With `claimAhead`, a dispatcher's own fan-out stores as many of an active
 * subscription's messages as it has room for already claimed, and hands them to it to send.
 * Returns how many messages were made.
 */
export async function fanOutChanges(
  deps: PipelineDeps,
  themeId = firstTheme(deps).id,
  onMade: () => void = () => undefined,
  claimAhead?: ClaimAhead,
): Promise<number> {
  const { store } = deps;
  let position = await store.changes.fanOutPosition(themeId);
  let made = 0;
  let caughtUp = false;
  for (;;) {
    // A batch the store sizes so that a subscription's messages of it (one a change, for most
    // filters) are stored in one write, and sent while the next batch is made.
    const batchRead = await store.changes.changeBatchSince(themeId, position);
    const changes = withoutGaps(position, batchRead.changes, deps.now());
    if (changes.length === 0) return made;
    // Read for every batch, so a subscription made during a long fan-out hears of the changes after its start.
    const subscriptions = (await store.webhooks.listSubscriptions()).filter((entry) => entry.filter.theme === themeId);
    const batch = await fanOutBatch(deps, changes, subscriptions, onMade, claimAhead);
    made += batch.made;
    if (batch.through === null) return made;
    if (await store.changes.advanceFanOut(themeId, position, batch.through)) position = batch.through;
    // Another dispatcher moved the position first: carry on from where it is.
    else position = await store.changes.fanOutPosition(themeId);
    if (batch.through !== changes.at(-1)?.seq) return made;
    // A short batch was all there was. Once caught up, look once more (what came while these
    // messages were made goes out in this run), then leave what comes after to the next run,
    // so a busy ingest cannot keep this one making messages and never delivering them.
    if (!batchRead.full || changes.length < batchRead.changes.length) {
      if (caughtUp) return made;
      caughtUp = true;
    }
  }
}

type PlannedEntry = { change: EventChange; type: MessageType; articleId: string | null };

/** The articles a change names: a match's article and those it claimed; none for a maintenance change. */
function changeArticleIds(change: EventChange): string[] {
  return change.correction === undefined ? [change.articleId, ...change.claimedArticleIds] : [];
}

/** The events a change names: its event, and a maintenance change's other one. */
function changeEventIds(change: EventChange): string[] {
  return change.correction === undefined ? [change.eventId] : [change.eventId, change.correction.relatedEventId];
}

/**
 * Makes the messages of a batch of changes. `through`: the last change whose messages are all
 * made (null: none), short of the batch's end when a change names an event or article that
 * cannot be read, which must not be skipped.
 */
async function fanOutBatch(
  deps: PipelineDeps,
  changes: readonly EventChange[],
  subscriptions: readonly Subscription[],
  onMade: () => void,
  claimAhead: ClaimAhead | undefined,
): Promise<{ made: number; through: number | null }> {
  const last = changes.at(-1)?.seq ?? null;
  if (subscriptions.length === 0) return { made: 0, through: last };
  const { store } = deps;
  const themeId = changes[0]?.themeId ?? "";
  const theme = findTheme(deps.config.themes, themeId);
  const events = new Map((await store.events.getMany([...new Set(changes.flatMap(changeEventIds))])).map((e) => [e.id, e]));
  const compiled = new Map(subscriptions.map((s) => [s.id, compileSubscriptionFilter(s.filter, theme)]));
  const wantedArticles = new Set(changes.flatMap(changeArticleIds));
  // Each as the change's theme judged it (an article another theme judged first, from its membership).
  const judged = await store.articles.getSummaries([...wantedArticles], { consistent: true, themeId });
  const articles = new Map(judged.map((a) => [a.id, a]));

  // The changes before the first one whose event or an article it names is missing.
  let complete = changes.length;
  for (const [index, change] of changes.entries()) {
    const missingEvent = changeEventIds(change).find((id) => !events.has(id));
    const missing =
      missingEvent !== undefined ? `event ${missingEvent}` : changeArticleIds(change).find((id) => !articles.has(id));
    if (missing !== undefined) {
      deps.log.warn("webhook fan-out stopped: a change names something that cannot be read; it will be tried again", {
        themeId: change.themeId,
        seq: change.seq,
        missing: missing.startsWith("event ") ? missing : `article ${missing}`,
      });
      complete = index;
      break;
    }
  }
  const done = changes.slice(0, complete);

  // Each subscription's messages are written one after another, in the order of the changes.
  const plans = new Map<string, PlannedEntry[]>();
  for (const change of done) {
    const event = events.get(change.eventId) as NonNullable<ReturnType<typeof events.get>>;
    for (const subscription of subscriptions) {
      const filter = compiled.get(subscription.id) as ReturnType<typeof compileSubscriptionFilter>;
      const related = change.correction === undefined ? undefined : events.get(change.correction.relatedEventId);
      for (const entry of planMessages(change, subscription, event, filter, related)) {
        const list = plans.get(subscription.id) ?? [];
        list.push({ change, type: entry.type, articleId: entry.articleId });
        plans.set(subscription.id, list);
      }
    }
  }
  const limit = pLimit(16);
  const made = await Promise.all(
    subscriptions.map((listed) =>
      limit(async () => {
        const planned = plans.get(listed.id);
        if (planned === undefined) return 0;
        // The list is read from an index that may lag: hold messages only for a subscription
        // that is paused now (one resumed a moment ago must get them due).
        const subscription = listed.state === "active" ? listed : await store.webhooks.getSubscription(listed.id);
        if (subscription === null) return 0;
        const messages = planned.map(({ change, type, articleId }) =>
          changeMessage(subscription, {
            change,
            type,
            event: events.get(change.eventId) as EventState,
            related: change.correction === undefined ? undefined : events.get(change.correction.relatedEventId),
            article: articleId === null ? undefined : articles.get(articleId),
            linkBase: deps.config.webhooks.linkBaseUrl,
            now: deps.now(),
          }),
        );
        const created = await storeMessages(deps, subscription, messages, claimAhead);
        if (created > 0) onMade();
        return created;
      }),
    ),
  );
  return { made: made.reduce((sum, n) => sum + n, 0), through: done.at(-1)?.seq ?? null };
}

/**
 * Stores a subscription's new messages, numbered together in the order of the changes (a run a
 * transaction); as many of the first as `claimAhead` has places for are stored claimed and
 * handed to it. Returns how many were made.
 */
async function storeMessages(
  deps: PipelineDeps,
  subscription: Subscription,
  messages: readonly NewMessage[],
  claimAhead: ClaimAhead | undefined,
): Promise<number> {
  const reservation = subscription.state === "active" ? (claimAhead?.(subscription, messages.length) ?? null) : null;
  const leases = reservation?.leases ?? [];
  let claimed: NewMessage[] = [];
  try {
    const stored = messages.map((message, index) => {
      const lease = leases[index];
      return lease === undefined ? message : claimedUnder(message, lease);
    });
    const outcomes = await deps.store.webhooks.putMessages(stored);
    // Only a message this run stored holds its lease: one that existed (another dispatcher's
    // fan-out made it) is that dispatcher's to send, or due to all.
    claimed = stored.filter((message, index) => message.lease !== undefined && outcomes[index] === "created");
    return outcomes.filter((outcome) => outcome === "created").length;
  } finally {
    // Also when the write failed: what it may have stored claimed is due when the lease runs out.
    reservation?.take(claimed);
  }
}
