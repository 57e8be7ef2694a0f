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
import pLimit from "p-limit";
import type { PipelineDeps } from "./deps";
import { createWebhookSender, type WebhookSender } from "./webhook-sender";

/** Changes read from the outbox at a time. */
const FAN_OUT_BATCH = 100;
/** Due messages read at a time. */
const DUE_BATCH = 200;
/** Attempts in flight in one dispatcher, over all endpoints. */
const GLOBAL_CONCURRENCY = 32;
/** How long past an attempt's deadline its lease lasts before another dispatcher may retry it. */
const LEASE_MARGIN_MS = 30_000;

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

/** Sorts a subscription's messages: by when they were made, then the change, then the order within it. */
function messagePosition(createdAt: string, seq: number, ordinal: number, id: string): string {
  return `${createdAt}#${String(seq).padStart(12, "0")}#${String(ordinal).padStart(3, "0")}#${id}`;
}

/** A new message to one subscription, due now when it is active, held while it is paused or disabled. */
export function newMessage(
  subscription: Subscription,
  input: { id: string; type: MessageType; body: string; createdAt: string; seq: number; ordinal: number; now: Date },
): WebhookMessage {
  const active = subscription.state === "active";
  return {
    id: input.id,
    subscriptionId: subscription.id,
    type: input.type,
    body: input.body,
    createdAt: input.createdAt,
    position: messagePosition(input.createdAt, input.seq, input.ordinal, input.id),
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
 * a fan-out that dies part-way, or two that run at once, make every message exactly once.
 * Returns how many messages were made.
 */
export async function fanOutChanges(deps: PipelineDeps, themeId = deps.config.theme.id): Promise<number> {
  const { store } = deps;
  let position = await store.webhooks.fanOutPosition(themeId);
  let subscriptions: Subscription[] | null = null;
  let made = 0;
  for (;;) {
    const changes = await store.events.changeRecordsSince(themeId, position, FAN_OUT_BATCH);
    const last = changes.at(-1);
    if (last === undefined) return made;
    subscriptions ??= (await store.webhooks.listSubscriptions()).filter((entry) => entry.filter.theme === themeId);
    made += await fanOutBatch(deps, changes, subscriptions);
    if (await store.webhooks.advanceFanOut(themeId, position, last.seq)) position = last.seq;
    // Another dispatcher moved the position first: carry on from where it is.
    else position = await store.webhooks.fanOutPosition(themeId);
  }
}

async function fanOutBatch(deps: PipelineDeps, changes: readonly EventChange[], subscriptions: readonly Subscription[]) {
  if (subscriptions.length === 0) return 0;
  const { store } = deps;
  const theme = findTheme(deps.config.theme ? [deps.config.theme] : [], changes[0]?.themeId ?? "");
  const events = new Map((await store.events.getMany([...new Set(changes.map((c) => c.eventId))])).map((e) => [e.id, e]));
  const compiled = new Map(subscriptions.map((s) => [s.id, compileSubscriptionFilter(s.filter, theme)]));
  const planned: {
    subscription: Subscription;
    change: EventChange;
    type: MessageType;
    articleId: string | null;
    ordinal: number;
  }[] = [];
  for (const change of changes) {
    const event = events.get(change.eventId);
    if (event === undefined) continue;
    for (const subscription of subscriptions) {
      const plan = planMessages(
        change,
        subscription,
        event,
        compiled.get(subscription.id) as ReturnType<typeof compileSubscriptionFilter>,
      );
      plan.forEach((entry, ordinal) => {
        planned.push({ subscription, change, type: entry.type, articleId: entry.articleId, ordinal });
      });
    }
  }
  if (planned.length === 0) return 0;
  const articleIds = [...new Set(planned.flatMap((entry) => (entry.articleId === null ? [] : [entry.articleId])))];
  const articles = new Map((await store.articles.getSummaries(articleIds)).map((a) => [a.id, a]));
  const base = deps.config.webhooks.linkBaseUrl;
  const now = deps.now();
  const limit = pLimit(16);
  const outcomes = await Promise.all(
    planned.map(({ subscription, change, type, articleId, ordinal }) =>
      limit(async () => {
        const event = events.get(change.eventId);
        if (event === undefined) return "exists";
        const article = articleId === null ? undefined : articles.get(articleId);
        if (articleId !== null && article === undefined) return "exists";
        const id = `msg_${hashId("change", change.themeId, String(change.seq), subscription.id, type, articleId ?? "")}`;
        const body = serializePayload({
          type,
          timestamp: change.at,
          data: {
            event: eventPayload(event, change, base),
            ...(article !== undefined ? { article: articlePayload(article, base) } : {}),
          },
        });
        return store.webhooks.putMessage(
          newMessage(subscription, { id, type, body, createdAt: change.at, seq: change.seq, ordinal, now }),
        );
      }),
    ),
  );
  return outcomes.filter((outcome) => outcome === "created").length;
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
  const result = await webhookSenderFor(deps).send(subscription.url, headers, message.body, sentAt);
  const attempt = message.attempts + 1;
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
        const id = `msg_${hashId("disabled", subscription.id, subscription.failingSince ?? "", reason, other.id)}`;
        const body = serializePayload({
          type: "subscription.disabled",
          timestamp: at,
          data: { subscription: { id: subscription.id, description: subscription.description, reason, disabledAt: at } },
        });
        return store.webhooks.putMessage(
          newMessage(other, { id, type: "subscription.disabled", body, createdAt: at, seq: 0, ordinal: 0, now }),
        );
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
export function claimForAttempt(deps: PipelineDeps, message: WebhookMessage) {
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
  const global = pLimit(GLOBAL_CONCURRENCY);
  const perEndpoint = new Map<string, ReturnType<typeof pLimit>>();
  const maxRounds = options.maxRounds ?? 50;
  const seen = new Set<string>();
  for (let round = 0; round < maxRounds; round += 1) {
    const due = (await deps.store.webhooks.dueMessages(deps.now(), DUE_BATCH)).filter((m) => !seen.has(`${m.id}@${m.dueAt}`));
    if (due.length === 0) break;
    for (const message of due) seen.add(`${message.id}@${message.dueAt}`);
    const subscriptions = new Map((await deps.store.webhooks.listSubscriptions()).map((s) => [s.id, s]));
    await Promise.all(
      due.map((message) => {
        const subscription = subscriptions.get(message.subscriptionId);
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
