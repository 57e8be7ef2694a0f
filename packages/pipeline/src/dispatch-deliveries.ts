import { randomInt, randomUUID } from "node:crypto";
import {
  activeSecrets,
  articlePayload,
  compileSubscriptionFilter,
  type DeliveryAttempt,
  DISABLE_AFTER_FAILING_MS,
  type EventChange,
  errorMessage,
  eventPayload,
  findTheme,
  hashId,
  judgeAttempt,
  type MessageType,
  planMessages,
  type Subscription,
  serializePayload,
  signMessage,
  type WebhookMessage,
  withoutGaps,
} from "@eventwire/core";
import {
  type FinishedAttempt,
  MAX_TRANSACTION_ITEMS,
  MESSAGES_PER_TRANSACTION,
  type MessageClaim,
  type NewMessage,
  type PageKey,
} from "@eventwire/store";
import pLimit, { type LimitFunction } from "p-limit";
import { batchCalls } from "./batch-calls";
import type { PipelineDeps } from "./deps";
import { createWebhookSender, type WebhookSender } from "./webhook-sender";

/**
 * Changes read from the outbox at a time: as many as one numbering transaction holds messages,
 * so a subscription's messages of one batch (one a change, for most filters) fit one, and are
 * sent while the next is made.
 */
const FAN_OUT_BATCH = MESSAGES_PER_TRANSACTION;
/** Held messages of one active subscription made due per dispatch (the rest on the next). */
const HELD_BATCH = 500;
/** Due messages read at a time. */
const DUE_BATCH = 200;
/** Messages read and not yet done past which the dispatcher reads no more until some are done. */
const MAX_QUEUED = 2 * DUE_BATCH;
/** Attempts in flight in one dispatcher, over all endpoints. */
const GLOBAL_CONCURRENCY = 32;
/**
 * Messages one endpoint that answers quickly may have between claim and finish, in multiples of
 * its attempts in flight: the next ones are claimed while the current ones are sent and their
 * ends written. One that answers slowly gets none ahead (a claimed message waiting behind slow
 * attempts would use up its lease).
 */
const PIPELINE_DEPTH = 4;
/** An attempt that took longer than this makes its endpoint a slow one. */
const SLOW_ATTEMPT_MS = 1_000;
/** Claims and attempt ends written in one transaction at most (finishes are two items each). */
const CLAIMS_PER_WRITE = MAX_TRANSACTION_ITEMS;
const FINISHES_PER_WRITE = MAX_TRANSACTION_ITEMS / 2;
/** Claim (and finish) transactions written at once by one dispatcher. */
const WRITES_IN_FLIGHT = 2;
/** How long past an attempt's deadline its lease lasts before another dispatcher may retry it. */
const LEASE_MARGIN_MS = 30_000;
/** At the moment of sending, the lease must outlast the attempt's remaining deadline by this much. */
const LEASE_SAFETY_MS = 10_000;

const senders = new WeakMap<PipelineDeps, WebhookSender>();

/** The deps' webhook client, made on first use when the deps bring none. */
export function webhookSenderFor(deps: PipelineDeps): WebhookSender {
  if (deps.webhookSender !== undefined) return deps.webhookSender;
  let sender = senders.get(deps);
  if (sender === undefined) {
    sender = createWebhookSender({
      allowPrivateUrls: deps.config.webhooks.allowPrivateUrls,
      timeoutMs: deps.config.webhooks.timeoutMs,
      connectionsPerEndpoint: deps.config.webhooks.concurrencyPerEndpoint,
      userAgent: deps.config.userAgent,
      resolve: deps.resolveHost,
    });
    senders.set(deps, sender);
  }
  return sender;
}

/** A lease on a message: its holder's token, and when it runs out (the message is then due to any dispatcher). */
export type MessageLease = { token: string; until: Date };

/** A new message to one subscription, due now when it is active, held while it is paused or disabled. */
export function newMessage(
  subscription: Subscription,
  input: { id: string; type: MessageType; body: string; now: Date },
): NewMessage {
  const active = subscription.state === "active";
  return {
    id: input.id,
    subscriptionId: subscription.id,
    type: input.type,
    body: input.body,
    createdAt: input.now.toISOString(),
    state: active ? "pending" : "held",
    attempts: 0,
    dueAt: active ? input.now.toISOString() : null,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
  };
}

/** A new pending message made claimed under `lease`, as a claim would leave it: due to all when the lease runs out. */
function claimedUnder(message: NewMessage, lease: MessageLease): NewMessage {
  return { ...message, state: "sending", dueAt: lease.until.toISOString(), lease: lease.token };
}

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
  themeId = deps.config.theme.id,
  onMade: () => void = () => undefined,
  claimAhead?: ClaimAhead,
): Promise<number> {
  const { store } = deps;
  let position = await store.webhooks.fanOutPosition(themeId);
  let made = 0;
  let caughtUp = false;
  for (;;) {
    const changes = withoutGaps(position, await store.events.changeRecordsSince(themeId, position, FAN_OUT_BATCH), deps.now());
    if (changes.length === 0) return made;
    // Read for every batch, so a subscription made during a long fan-out hears of the changes after its start.
    const subscriptions = (await store.webhooks.listSubscriptions()).filter((entry) => entry.filter.theme === themeId);
    const batch = await fanOutBatch(deps, changes, subscriptions, onMade, claimAhead);
    made += batch.made;
    if (batch.through === null) return made;
    if (await store.webhooks.advanceFanOut(themeId, position, batch.through)) position = batch.through;
    // Another dispatcher moved the position first: carry on from where it is.
    else position = await store.webhooks.fanOutPosition(themeId);
    if (batch.through !== changes.at(-1)?.seq) return made;
    // A short batch was all there was. Once caught up, look once more (what came while these
    // messages were made goes out in this run), then leave what comes after to the next run,
    // so a busy ingest cannot keep this one making messages and never delivering them.
    if (changes.length < FAN_OUT_BATCH) {
      if (caughtUp) return made;
      caughtUp = true;
    }
  }
}

type PlannedEntry = { change: EventChange; type: MessageType; articleId: string | null };

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
  const theme = findTheme(deps.config.theme ? [deps.config.theme] : [], changes[0]?.themeId ?? "");
  const events = new Map((await store.events.getMany([...new Set(changes.map((c) => c.eventId))])).map((e) => [e.id, e]));
  const compiled = new Map(subscriptions.map((s) => [s.id, compileSubscriptionFilter(s.filter, theme)]));
  const wantedArticles = new Set<string>();
  for (const change of changes) for (const id of [change.articleId, ...change.claimedArticleIds]) wantedArticles.add(id);
  const articles = new Map((await store.articles.getSummaries([...wantedArticles], { consistent: true })).map((a) => [a.id, a]));

  // The changes before the first one whose event or an article it names is missing.
  let complete = changes.length;
  for (const [index, change] of changes.entries()) {
    const missing = !events.has(change.eventId)
      ? `event ${change.eventId}`
      : [change.articleId, ...change.claimedArticleIds].find((id) => !articles.has(id));
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
      for (const entry of planMessages(change, subscription, event, filter)) {
        const list = plans.get(subscription.id) ?? [];
        list.push({ change, type: entry.type, articleId: entry.articleId });
        plans.set(subscription.id, list);
      }
    }
  }
  const base = deps.config.webhooks.linkBaseUrl;
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
        const messages = planned.map(({ change, type, articleId }) => {
          const event = events.get(change.eventId) as NonNullable<ReturnType<typeof events.get>>;
          const article = articleId === null ? undefined : articles.get(articleId);
          const id = `msg_${hashId("change", change.themeId, String(change.seq), subscription.id, type, articleId ?? "")}`;
          const body = serializePayload({
            type,
            timestamp: change.at,
            data: {
              event: eventPayload(event, change, base),
              ...(article !== undefined ? { article: articlePayload(article, base) } : {}),
            },
          });
          return newMessage(subscription, { id, type, body, now: deps.now() });
        });
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

export type AttemptReport = Pick<DeliveryAttempt, "attempt" | "statusCode" | "latencyMs" | "error" | "outcome" | "nextAttemptAt">;

/** How an attempt takes its turn to send and writes its end; a dispatcher passes shared, batched ones. */
export type AttemptWriters = {
  /** Records the attempt in the log and the message's next state; false when the lease was lost. */
  finish(finished: FinishedAttempt): Promise<boolean>;
  /** Runs the request within the bounds of attempts in flight. */
  sendSlot<T>(send: () => Promise<T>): Promise<T>;
};

/** An attempt on its own: sent at once, its end written in one transaction. */
function directWriters(deps: PipelineDeps): AttemptWriters {
  return {
    finish: async (finished) => (await deps.store.webhooks.finishAttempts([finished]))[0] === true,
    sendSlot: (send) => send(),
  };
}

/**
 * One attempt at a message whose lease `token` we hold: sign with the subscription's active
 * secrets, POST, record the attempt and the message's next state together, and act on the
 * endpoint's health (a 410, or failing for five days straight, disables the subscription, and
 * marks `subscription` disabled so the caller's other attempts to it stop). A lost lease
 * (another dispatcher took over after ours ran out) records only the attempt, not the message.
 */
export async function attemptDelivery(
  deps: PipelineDeps,
  message: Omit<WebhookMessage, "position">,
  subscription: Subscription,
  token: string,
  writers: AttemptWriters = directWriters(deps),
): Promise<AttemptReport> {
  const { store } = deps;
  // The claimed message's dueAt is when our lease runs out (and another dispatcher may take it).
  const leaseUntil = message.dueAt === null ? deps.now().getTime() : Date.parse(message.dueAt);
  // Signed when its turn comes, so the timestamp is the sending time.
  const { sentAt, result } = await writers.sendSlot(async () => {
    const sentAt = deps.now();
    const headers = signMessage(activeSecrets(subscription.secrets, sentAt), message.id, sentAt, message.body);
    const result = await webhookSenderFor(deps).send(subscription.url, headers, message.body, sentAt, {
      mayPost: (remainingMs) => leaseUntil - deps.now().getTime() > remainingMs + LEASE_SAFETY_MS,
    });
    return { sentAt, result };
  });
  const attempt = message.attempts + 1;
  if (result.notSent) {
    // Nothing went out: record nothing, and the message is due again when the lease runs out.
    deps.log.warn("webhook attempt given up before sending", { messageId: message.id, reason: result.error });
    return {
      attempt: message.attempts,
      statusCode: null,
      latencyMs: result.latencyMs,
      error: result.error,
      outcome: "retry",
      nextAttemptAt: new Date(leaseUntil).toISOString(),
    };
  }
  const verdict = judgeAttempt(result, attempt, deps.random);
  // Marked at once, so the caller's attempts to it that have not started yet stay unsent.
  const disabling = verdict.kind === "disable" && subscription.state !== "disabled";
  if (verdict.kind === "disable") subscription.state = "disabled";
  const at = sentAt.toISOString();
  const nextAttemptAt = verdict.kind === "retry" ? new Date(sentAt.getTime() + verdict.delayMs).toISOString() : null;
  const report: AttemptReport = {
    attempt,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    error: verdict.kind === "give-up" ? `${result.error ?? "failed"}; ${verdict.reason}` : result.error,
    outcome:
      verdict.kind === "delivered"
        ? "delivered"
        : verdict.kind === "retry"
          ? "retry"
          : verdict.kind === "disable"
            ? "disabled"
            : "failed",
    nextAttemptAt,
  };
  await writers.finish({
    token,
    attempt: { ...report, messageId: message.id, subscriptionId: subscription.id, type: message.type, at, url: subscription.url },
    result: {
      state: verdict.kind === "delivered" ? "delivered" : verdict.kind === "retry" ? "pending" : "failed",
      attempts: attempt,
      dueAt: nextAttemptAt,
      lastStatusCode: result.statusCode,
      lastError: report.error,
      deliveredAt: verdict.kind === "delivered" ? at : null,
    },
  });
  if (verdict.kind === "delivered") {
    // Health is written when it changes, and otherwise at most once a minute per endpoint.
    const stale = subscription.lastSuccessAt === null || sentAt.getTime() - Date.parse(subscription.lastSuccessAt) > 60_000;
    if (subscription.failingSince !== null || stale) {
      subscription.failingSince = null;
      subscription.lastSuccessAt = at;
      await store.webhooks.updateSubscription(subscription.id, { lastSuccessAt: at, failingSince: null });
    }
  } else if (verdict.kind === "disable") {
    if (disabling) await disableSubscription(deps, subscription, verdict.reason);
  } else {
    const noted = await store.webhooks.noteFailure(subscription.id, at);
    if (noted?.failingSince && sentAt.getTime() - Date.parse(noted.failingSince) >= DISABLE_AFTER_FAILING_MS) {
      await disableOnce(deps, subscription, noted, `every attempt has failed since ${noted.failingSince} (5 days)`);
    }
  }
  return report;
}

/**
 * Disables a subscription unless `seen` (the caller's copy) already says this run disabled it:
 * of the attempts in flight that find the endpoint failing for five days, one disables it.
 */
async function disableOnce(deps: PipelineDeps, seen: Subscription, current: Subscription, reason: string): Promise<void> {
  if (seen.state === "disabled") return;
  seen.state = "disabled";
  await disableSubscription(deps, current, reason);
}

/** Thrown by a dispatcher's send slot when the subscription stopped being active while the attempt waited. */
class SubscriptionStopped extends Error {}

/**
 * Disables a subscription (its later messages are kept, held, for catch-up) and tells the other
 * subscriptions that asked for `subscription.disabled`. The messages are made first, with ids
 * from the disable, so a crash in between makes them again, once.
 */
export async function disableSubscription(deps: PipelineDeps, subscription: Subscription, reason: string): Promise<void> {
  const { store } = deps;
  const now = deps.now();
  const at = now.toISOString();
  const others = (await store.webhooks.listSubscriptions()).filter(
    (entry) => entry.id !== subscription.id && entry.types.includes("subscription.disabled"),
  );
  const limit = pLimit(16);
  await Promise.all(
    others.map((other) =>
      limit(() => {
        // The disable time tells one disable from the next (disable, resume, disable again).
        const id = `msg_${hashId("disabled", subscription.id, at, reason, other.id)}`;
        const body = serializePayload({
          type: "subscription.disabled",
          timestamp: at,
          data: { subscription: { id: subscription.id, description: subscription.description, reason, disabledAt: at } },
        });
        return store.webhooks.putMessage(newMessage(other, { id, type: "subscription.disabled", body, now }));
      }),
    ),
  );
  const disabled = await store.webhooks.updateSubscription(
    subscription.id,
    { state: "disabled", disabledReason: reason, disabledAt: at, updatedAt: at },
    ["active", "paused"],
  );
  if (disabled !== null) deps.log.warn("webhook subscription disabled", { subscriptionId: subscription.id, reason });
}

/** When a lease taken now runs out: the attempt's whole deadline, and a margin. */
function leaseEnd(deps: PipelineDeps): Date {
  return new Date(deps.now().getTime() + deps.config.webhooks.timeoutMs + LEASE_MARGIN_MS);
}

/** Claims a message for one attempt; null when another dispatcher has it. */
export function claimForAttempt(deps: PipelineDeps, message: Pick<WebhookMessage, "id" | "dueAt" | "attempts">) {
  const token = randomUUID();
  return deps.store.webhooks
    .claimMessage(message, token, leaseEnd(deps))
    .then((claimed) => (claimed === null ? null : { claimed, token }));
}

export type DispatchSummary = {
  /** Messages made from event changes. */
  made: number;
  /** Attempts made, and how they ended. */
  attempted: number;
  delivered: number;
  failed: number;
  /** Due messages another dispatcher claimed first. */
  skipped: number;
  /** Messages this run's fan-out stored already claimed and sent (no due read, no claim write). */
  claimedAhead: number;
};

export type DispatchOptions = {
  /** Stop reading due messages after this many pages that brought new ones (a page holds up to 200). */
  maxRounds?: number;
};

/** A count of news, and a way to wait for news after a count. */
function createWake() {
  let generation = 0;
  const waiters: (() => void)[] = [];
  return {
    generation: () => generation,
    notify: () => {
      generation += 1;
      for (const waiter of waiters.splice(0)) waiter();
    },
    after: (seen: number) =>
      generation > seen ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(() => resolve())),
  };
}

/**
 * The dispatcher: turns new event changes into messages and, meanwhile, delivers every due
 * message (each batch the fan-out makes is read as soon as it is written). Each message is
 * claimed with a conditional write (a lease) before its attempt, so two dispatchers never make
 * the same attempt; the claims of messages waiting at the same moment share transactions, and
 * so do the ends of attempts (log entry and next state). Attempts to one endpoint are bounded,
 * and so are those of the whole dispatcher. Per-message failures are recorded on the message,
 * never thrown; a failed fan-out is thrown once what was due has been sent.
 */
export async function dispatchDeliveries(deps: PipelineDeps, options: DispatchOptions = {}): Promise<DispatchSummary> {
  const summary: DispatchSummary = { made: 0, attempted: 0, delivered: 0, failed: 0, skipped: 0, claimedAhead: 0 };
  const wake = createWake();
  const claim = batchCalls((claims: MessageClaim[]) => deps.store.webhooks.claimMessages(claims), {
    max: CLAIMS_PER_WRITE,
    inFlight: WRITES_IN_FLIGHT,
  });
  const finish = batchCalls((finished: FinishedAttempt[]) => deps.store.webhooks.finishAttempts(finished), {
    max: FINISHES_PER_WRITE,
    inFlight: WRITES_IN_FLIGHT,
  });
  const pipeline = pLimit(PIPELINE_DEPTH * GLOBAL_CONCURRENCY);
  const sends = pLimit(GLOBAL_CONCURRENCY);
  const endpoints = new Map<string, Endpoint>();
  // This run's view of the subscriptions, shared by its attempts (a disable stops the rest).
  const subscriptions = new Map<string, Subscription>();
  // Every delivery under way, from the due pages and from the fan-out's hand-over.
  const queued = new Set<Promise<void>>();
  const track = (task: Promise<void>) => {
    const tracked: Promise<void> = task.finally(() => queued.delete(tracked));
    queued.add(tracked);
  };

  const seen = new Set<string>();
  const seenKey = (message: WebhookMessage) => `${message.id}@${message.dueAt}`;
  // Pages read up to `stalePage` are stale: a claim from one was lost to another dispatcher, so
  // their messages not yet claimed are let go (and read again) rather than fought over one by one.
  let pages = 0;
  let stalePage = 0;

  const endpointOf = (subscriptionId: string): Endpoint => {
    let endpoint = endpoints.get(subscriptionId);
    if (endpoint === undefined) {
      const bound = deps.config.webhooks.concurrencyPerEndpoint;
      endpoint = { pipeline: pLimit(PIPELINE_DEPTH * bound), sends: pLimit(bound), measured: false };
      endpoints.set(subscriptionId, endpoint);
    }
    return endpoint;
  };

  /** One attempt at a message this run holds the lease `token` of, within the endpoint's bounds and the dispatcher's. */
  const attempt = async (claimed: Omit<WebhookMessage, "position">, subscription: Subscription, token: string) => {
    const endpoint = endpointOf(claimed.subscriptionId);
    let report: AttemptReport;
    try {
      report = await attemptDelivery(deps, claimed, subscription, token, {
        finish,
        sendSlot: (send) =>
          endpoint.sends(() =>
            sends(() => {
              // Disabled by another attempt's 410 (or paused) while this one waited: not sent.
              if (subscription.state !== "active") throw new SubscriptionStopped();
              return send();
            }),
          ),
      });
    } catch (error) {
      if (!(error instanceof SubscriptionStopped)) throw error;
      await parkClaimed(deps, claimed, "held");
      return;
    }
    summary.attempted += 1;
    endpoint.measured = true;
    endpoint.pipeline.concurrency =
      deps.config.webhooks.concurrencyPerEndpoint * (report.latencyMs > SLOW_ATTEMPT_MS ? 1 : PIPELINE_DEPTH);
    if (report.outcome === "delivered") summary.delivered += 1;
    else summary.failed += 1;
  };

  /** Claims a message read from a due page and makes its attempt. */
  const deliver = (message: WebhookMessage, page: number): Promise<void> => {
    const endpoint = endpointOf(message.subscriptionId);
    // Slots are always taken in this order (endpoint, then the dispatcher's), so none waits on another in a cycle.
    return endpoint.pipeline(() =>
      pipeline(async () => {
        try {
          const subscription = subscriptions.get(message.subscriptionId);
          if (subscription === undefined || subscription.state !== "active") {
            await deps.store.webhooks.parkMessage(message, subscription === undefined ? "cancelled" : "held");
            return;
          }
          if (page <= stalePage) {
            seen.delete(seenKey(message));
            return;
          }
          const token = randomUUID();
          const claimed = await claim({ message, token, leaseUntil: leaseEnd(deps) });
          if (claimed === null) {
            summary.skipped += 1;
            if (page > stalePage) {
              stalePage = page;
              // Read the due messages again now: what the other dispatcher took is gone from them.
              wake.notify();
            }
            return;
          }
          await attempt(claimed, subscription, token);
        } catch (error) {
          deps.log.error("webhook delivery failed", { messageId: message.id, error: errorMessage(error) });
        }
      }),
    );
  };

  /** Makes the attempt at a message the fan-out stored claimed under this run's lease. */
  const deliverClaimed = async (message: NewMessage): Promise<void> => {
    try {
      const subscription = subscriptions.get(message.subscriptionId);
      if (subscription === undefined || subscription.state !== "active") {
        await parkClaimed(deps, message, subscription === undefined ? "cancelled" : "held");
        return;
      }
      summary.claimedAhead += 1;
      await attempt(message, subscription, message.lease as string);
    } catch (error) {
      deps.log.error("webhook delivery failed", { messageId: message.id, error: errorMessage(error) });
    }
  };

  // Places promised to the fan-out that have not yet queued for the dispatcher's pipeline (they
  // do in a moment): counted, so that room there is not promised twice.
  let entering = 0;
  // Set once the run stops reading due pages: from then on the fan-out stores what it makes
  // pending, so the run does not end with deliveries it started and no longer waits for.
  let closing = false;
  const claimAhead: ClaimAhead = (subscription, count) => {
    if (closing) return null;
    const endpoint = endpointOf(subscription.id);
    // Only places free now: a message claimed ahead must not wait out its lease behind other
    // attempts, so it gets no more room than the endpoint's pipeline gives a claim (none ahead
    // for a slow endpoint), and, until this run has seen how fast the endpoint answers, no more
    // than its free send slots.
    const endpointRoom = endpoint.measured ? room(endpoint.pipeline) : Math.min(room(endpoint.pipeline), room(endpoint.sends));
    const places = Math.min(count, endpointRoom, room(pipeline) - entering);
    if (places <= 0) return null;
    const handOvers = Array.from({ length: places }, () => {
      let hand: (message: NewMessage | null) => void = () => undefined;
      const handed = new Promise<NewMessage | null>((resolve) => {
        hand = resolve;
      });
      entering += 1;
      track(
        endpoint.pipeline(() => {
          entering -= 1;
          return pipeline(async () => {
            const message = await handed;
            if (message !== null) await deliverClaimed(message);
          });
        }),
      );
      return hand;
    });
    const until = leaseEnd(deps);
    let taken = false;
    return {
      leases: handOvers.map(() => ({ token: randomUUID(), until })),
      take: (messages) => {
        if (taken) return;
        taken = true;
        const handAll = (list: readonly NewMessage[]) => {
          for (const [index, hand] of handOvers.entries()) hand(list[index] ?? null);
        };
        if (messages.length === 0) return handAll([]);
        // Read strongly, as a due page's subscriptions are: one paused since it was listed gets its messages held.
        refreshSubscriptions(deps, subscriptions, [subscription.id]).then(
          () => handAll(messages),
          (error: unknown) => {
            deps.log.warn("webhook messages claimed ahead are left until their lease runs out", {
              subscriptionId: subscription.id,
              error: errorMessage(error),
            });
            handAll([]);
          },
        );
      },
    };
  };

  let fanOutDone = false;
  let fanOutError: { error: unknown } | null = null;
  const fanOut = fanOutChanges(deps, deps.config.theme.id, wake.notify, claimAhead)
    .then(
      (made) => {
        summary.made = made;
      },
      (error: unknown) => {
        fanOutError = { error };
      },
    )
    .finally(() => {
      fanOutDone = true;
      wake.notify();
    });
  const maxRounds = options.maxRounds ?? 50;
  try {
    await requeueHeldOfActive(deps);
    let rounds = 0;
    let after: PageKey | null = null;
    let scan = { fresh: false, generation: wake.generation(), fanOutDone };
    while (rounds < maxRounds) {
      while (queued.size >= MAX_QUEUED) await Promise.race(queued);
      if (after === null) scan = { fresh: false, generation: wake.generation(), fanOutDone };
      const page = await deps.store.webhooks.dueMessages(deps.now(), DUE_BATCH, after);
      const fresh = page.items.filter((message) => !seen.has(seenKey(message)));
      if (fresh.length > 0) {
        pages += 1;
        for (const message of fresh) seen.add(seenKey(message));
        await refreshSubscriptions(
          deps,
          subscriptions,
          fresh.map((message) => message.subscriptionId),
        );
        // Once another dispatcher has been met, take the page in a random order: two that read
        // the same page would otherwise claim the same messages in step, one losing each time.
        const order = summary.skipped > 0 ? shuffled(fresh) : fresh;
        for (const message of order) track(deliver(message, pages));
        scan.fresh = true;
        rounds += 1;
      }
      after = page.next;
      if (after !== null) continue;
      // Read to the end of what is due. Done when a whole read found nothing new, with the
      // fan-out over before it began and no attempt under way (an attempt can make messages:
      // a disable tells the other subscribers).
      const idle = queued.size === 0;
      const news = wake.generation() !== scan.generation;
      if (!scan.fresh && idle && scan.fanOutDone && !news) break;
      // Read again once the fan-out has written more, or the attempts under way have ended.
      if (!news && !(scan.fresh && idle))
        await Promise.race([wake.after(scan.generation), ...(idle ? [] : [Promise.all(queued)])]);
    }
  } finally {
    closing = true;
    // The fan-out may hand over messages it claimed before `closing`: wait for it, then for
    // every delivery started, those included.
    await fanOut;
    while (queued.size > 0) await Promise.all(queued);
  }
  if (fanOutError !== null) throw (fanOutError as { error: unknown }).error;
  if (summary.made + summary.attempted > 0) deps.log.info("webhooks dispatched", { ...summary });
  return summary;
}

/**
 * One endpoint's bounds in a dispatcher: messages between claim and finish, and attempts in
 * flight; `measured` once an attempt of this run has told how fast it answers.
 */
type Endpoint = { pipeline: LimitFunction; sends: LimitFunction; measured: boolean };

/** Places a limit would start at once. */
function room(limit: LimitFunction): number {
  return limit.concurrency - limit.activeCount - limit.pendingCount;
}

/**
 * Takes a message this run claimed out of the due index (its subscription stopped). One the
 * fan-out stored claimed has no position in hand (the store numbered it): it is read for it,
 * and parked only while it still holds the lease as stored (`dueAt`, the lease's end).
 */
async function parkClaimed(
  deps: PipelineDeps,
  message: Omit<WebhookMessage, "position"> & { position?: string },
  state: "held" | "cancelled",
): Promise<void> {
  const position = message.position ?? (await deps.store.webhooks.getMessage(message.id))?.position;
  if (position === undefined) return;
  await deps.store.webhooks.parkMessage({ ...message, position }, state);
}

/** A copy of `items` in a random order. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/**
 * Reads the subscriptions strongly into a run's view, updating the objects its attempts share;
 * one this run disabled stays disabled in it, and a deleted one leaves it.
 */
async function refreshSubscriptions(deps: PipelineDeps, view: Map<string, Subscription>, ids: readonly string[]): Promise<void> {
  const fresh = await readSubscriptions(deps, ids);
  for (const id of new Set(ids)) {
    const current = fresh.get(id);
    const known = view.get(id);
    if (current === undefined) view.delete(id);
    else if (known === undefined) view.set(id, current);
    else if (known.state !== "disabled") Object.assign(known, current);
  }
}

/** Subscriptions by id, read with strong consistency; a deleted one is absent. */
async function readSubscriptions(deps: PipelineDeps, ids: readonly string[]): Promise<Map<string, Subscription>> {
  const limit = pLimit(16);
  const found = await Promise.all([...new Set(ids)].map((id) => limit(() => deps.store.webhooks.getSubscription(id))));
  return new Map(found.flatMap((subscription) => (subscription === null ? [] : [[subscription.id, subscription] as const])));
}

/**
 * Makes due again the held messages of subscriptions that are active: a message held by a
 * dispatcher that raced a resume (or written held just after it) is not left behind.
 */
export async function requeueHeldOfActive(deps: PipelineDeps): Promise<number> {
  const { store } = deps;
  const active = (await store.webhooks.listSubscriptions()).filter((subscription) => subscription.state === "active");
  const limit = pLimit(8);
  const counts = await Promise.all(
    active.map((listed) =>
      limit(async () => {
        const held = await store.webhooks.heldMessages(listed.id, HELD_BATCH);
        if (held.length === 0) return 0;
        // The list may lag: requeue only for a subscription that is active now.
        if ((await store.webhooks.getSubscription(listed.id))?.state !== "active") return 0;
        const now = deps.now();
        let requeued = 0;
        for (const message of held) if ((await store.webhooks.requeueMessage(message.id, now, true)) !== null) requeued += 1;
        return requeued;
      }),
    ),
  );
  const requeued = counts.reduce((sum, n) => sum + n, 0);
  if (requeued > 0) deps.log.info("webhook messages held for active subscriptions made due", { requeued });
  return requeued;
}
