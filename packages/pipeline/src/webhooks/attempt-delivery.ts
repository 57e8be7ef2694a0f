import {
  activeSecrets,
  type DeliveryAttempt,
  DISABLE_AFTER_FAILING_MS,
  judgeAttempt,
  type Subscription,
  signMessage,
  type WebhookMessage,
} from "@eventwire/core";
import type { FinishedAttempt } from "@eventwire/store";
import type { PipelineDeps } from "../deps";
import { disableOncePerRun } from "./disable-subscription";
import { claimForAttempt } from "./leases";
import { createWebhookSender, type WebhookSender } from "./webhook-sender";

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
  const disable = verdict.kind === "disable" ? disableOncePerRun(deps, subscription) : null;
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
    await disable?.(subscription, verdict.reason);
  } else {
    const noted = await store.webhooks.noteFailure(subscription.id, at);
    if (noted?.failingSince && sentAt.getTime() - Date.parse(noted.failingSince) >= DISABLE_AFTER_FAILING_MS) {
      await disableOncePerRun(deps, subscription)?.(noted, `every attempt has failed since ${noted.failingSince} (5 days)`);
    }
  }
  return report;
}

/**
 * Claims a message and makes its attempt now, outside a dispatcher run (a test ping, a retry
 * asked for by hand): the same attempt a dispatcher makes. Null when a dispatcher holds it.
 */
export async function attemptNow(
  deps: PipelineDeps,
  message: Pick<WebhookMessage, "id" | "dueAt" | "attempts">,
  subscription: Subscription,
): Promise<AttemptReport | null> {
  const lease = await claimForAttempt(deps, message);
  return lease === null ? null : attemptDelivery(deps, lease.claimed, subscription, lease.token);
}
