import { randomUUID } from "node:crypto";
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
} from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";
import pLimit from "p-limit";
import type { PipelineDeps } from "./deps";
import { createWebhookSender, type WebhookSender } from "./webhook-sender";

/** Changes read from the outbox at a time. */
const FAN_OUT_BATCH = 100;
/** Held messages of one active subscription made due per dispatch (the rest on the next). */
const HELD_BATCH = 500;
/** Due messages read at a time. */
const DUE_BATCH = 200;
/** Attempts in flight in one dispatcher, over all endpoints. */
const GLOBAL_CONCURRENCY = 32;
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

/**
 * Turns the theme's stored event changes (the outbox the matcher's transaction writes) into
 * messages, one per subscription and type, from where the last fan-out stopped. A message's id
 * is a hash of the change, the subscription and the type, and it is stored only if absent, so
 * a fan-out that dies part-way, or two that run at once, make every message exactly once. A
 * change whose event or article cannot be read stops the fan-out before it (it is tried again
 * on the next run). Once it has caught up, it reads once more and stops there.
 * Returns how many messages were made.
 */
export async function fanOutChanges(deps: PipelineDeps, themeId = deps.config.theme.id): Promise<number> {
  const { store } = deps;
  let position = await store.webhooks.fanOutPosition(themeId);
  let made = 0;
  let caughtUp = false;
  for (;;) {
    const changes = await store.events.changeRecordsSince(themeId, position, FAN_OUT_BATCH);
    if (changes.length === 0) return made;
    // Read for every batch, so a subscription made during a long fan-out hears of the changes after its start.
    const subscriptions = (await store.webhooks.listSubscriptions()).filter((entry) => entry.filter.theme === themeId);
    const batch = await fanOutBatch(deps, changes, subscriptions);
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
        // Numbered together, in the order of the changes (a run a transaction).
        const outcomes = await store.webhooks.putMessages(messages);
        return outcomes.filter((outcome) => outcome === "created").length;
      }),
    ),
  );
  return { made: made.reduce((sum, n) => sum + n, 0), through: done.at(-1)?.seq ?? null };
}

export type AttemptReport = Pick<DeliveryAttempt, "attempt" | "statusCode" | "latencyMs" | "error" | "outcome" | "nextAttemptAt">;

/**
 * One attempt at a message whose lease `token` we hold: sign with the subscription's active
 * secrets, POST, record the attempt and the message's next state, and act on the endpoint's
 * health (a 410, or failing for five days straight, disables the subscription). A lost lease
 * (another dispatcher took over after ours ran out) records nothing on the message.
 */
export async function attemptDelivery(
  deps: PipelineDeps,
  message: WebhookMessage,
  subscription: Subscription,
  token: string,
): Promise<AttemptReport> {
  const { store } = deps;
  const sentAt = deps.now();
  const headers = signMessage(activeSecrets(subscription.secrets, sentAt), message.id, sentAt, message.body);
  // The claimed message's dueAt is when our lease runs out (and another dispatcher may take it).
  const leaseUntil = message.dueAt === null ? sentAt.getTime() : Date.parse(message.dueAt);
  const result = await webhookSenderFor(deps).send(subscription.url, headers, message.body, sentAt, {
    mayPost: (remainingMs) => leaseUntil - deps.now().getTime() > remainingMs + LEASE_SAFETY_MS,
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
  await store.webhooks.putAttempt({
    ...report,
    messageId: message.id,
    subscriptionId: subscription.id,
    type: message.type,
    at,
    url: subscription.url,
  });
  await store.webhooks.finishAttempt(message.id, token, {
    state: verdict.kind === "delivered" ? "delivered" : verdict.kind === "retry" ? "pending" : "failed",
    attempts: attempt,
    dueAt: nextAttemptAt,
    lastStatusCode: result.statusCode,
    lastError: report.error,
    deliveredAt: verdict.kind === "delivered" ? at : null,
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
    await disableSubscription(deps, subscription, verdict.reason);
  } else {
    const noted = await store.webhooks.noteFailure(subscription.id, at);
    if (noted?.failingSince && sentAt.getTime() - Date.parse(noted.failingSince) >= DISABLE_AFTER_FAILING_MS) {
      await disableSubscription(deps, noted, `every attempt has failed since ${noted.failingSince} (5 days)`);
    }
  }
  return report;
}

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

/** Claims a message for one attempt; null when another dispatcher has it. */
export function claimForAttempt(deps: PipelineDeps, message: Pick<WebhookMessage, "id" | "dueAt">) {
  const token = randomUUID();
  const leaseUntil = new Date(deps.now().getTime() + deps.config.webhooks.timeoutMs + LEASE_MARGIN_MS);
  return deps.store.webhooks
    .claimMessage(message, token, leaseUntil)
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
};

export type DispatchOptions = {
  /** Stop after this many rounds of due messages (a round reads up to 200). */
  maxRounds?: number;
};

/**
 * The dispatcher: turns new event changes into messages, then delivers every due message.
 * Each message is claimed with a conditional write (a lease) before its attempt, so two
 * dispatchers never make the same attempt; attempts to one endpoint are bounded. Per-message
 * failures are recorded on the message, never thrown.
 */
export async function dispatchDeliveries(deps: PipelineDeps, options: DispatchOptions = {}): Promise<DispatchSummary> {
  const summary: DispatchSummary = { made: await fanOutChanges(deps), attempted: 0, delivered: 0, failed: 0, skipped: 0 };
  await requeueHeldOfActive(deps);
  const global = pLimit(GLOBAL_CONCURRENCY);
  const perEndpoint = new Map<string, ReturnType<typeof pLimit>>();
  const maxRounds = options.maxRounds ?? 50;
  const seen = new Set<string>();
  for (let round = 0; round < maxRounds; round += 1) {
    const due = (await deps.store.webhooks.dueMessages(deps.now(), DUE_BATCH)).filter((m) => !seen.has(`${m.id}@${m.dueAt}`));
    if (due.length === 0) break;
    for (const message of due) seen.add(`${message.id}@${message.dueAt}`);
    // Read strongly, once a round: a message is held only for a subscription paused right now.
    const subscriptions = await readSubscriptions(
      deps,
      due.map((message) => message.subscriptionId),
    );
    await Promise.all(
      due.map((message) => {
        const subscription = subscriptions.get(message.subscriptionId) ?? undefined;
        let endpoint = perEndpoint.get(message.subscriptionId);
        if (endpoint === undefined) {
          endpoint = pLimit(deps.config.webhooks.concurrencyPerEndpoint);
          perEndpoint.set(message.subscriptionId, endpoint);
        }
        return endpoint(() =>
          global(async () => {
            try {
              if (subscription === undefined || subscription.state !== "active") {
                await deps.store.webhooks.parkMessage(message, subscription === undefined ? "cancelled" : "held");
                return;
              }
              const lease = await claimForAttempt(deps, message);
              if (lease === null) {
                summary.skipped += 1;
                return;
              }
              const report = await attemptDelivery(deps, lease.claimed, subscription, lease.token);
              summary.attempted += 1;
              if (report.outcome === "delivered") summary.delivered += 1;
              else summary.failed += 1;
            } catch (error) {
              deps.log.error("webhook delivery failed", { messageId: message.id, error: errorMessage(error) });
            }
          }),
        );
      }),
    );
  }
  if (summary.made + summary.attempted > 0) deps.log.info("webhooks dispatched", { ...summary });
  return summary;
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
