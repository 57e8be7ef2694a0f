import { randomUUID } from "node:crypto";
import { errorMessage, type Subscription, type WebhookMessage } from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";
import type { PipelineDeps } from "../deps";
import { type AttemptReport, attemptDelivery } from "./attempt-delivery";
import type { DispatchSummary } from "./dispatch-summary";
import type { DispatcherSlots } from "./dispatcher-slots";
import type { DuePages } from "./due-pages";
import { leaseEnd, parkUnsent } from "./leases";
import type { Wake } from "./wake";

/** Shared claim (and finish) writes under way at once in one dispatcher. */
const WRITES_IN_FLIGHT = 2;

/** Thrown by a dispatcher's send slot when the subscription stopped being active while the attempt waited. */
class SubscriptionStopped extends Error {}

/**
 * A message a dispatcher run is to send: one read from due page `page` (claimed first, unless
 * another dispatcher takes it), or one the run's own fan-out stored claimed under the run's
 * lease (`message.lease`).
 */
type Delivery =
  | { from: "due-page"; message: WebhookMessage; page: number }
  | { from: "claimed-ahead"; message: NewMessage & { lease: string } };

/** The one way a dispatcher run sends a message; per-message failures are logged, never thrown. */
export type Deliver = (delivery: Delivery) => Promise<void>;

/**
 * A run's door to sending: every message the run sends, from a due page or from its fan-out,
 * goes through it. A message whose subscription stopped is parked unsent; one read due is
 * claimed, and one of a stale page let go (`duePages`; a lost claim marks its page stale and
 * tells `wake`); then one attempt, within the run's `slots`, its claim and end written in
 * shared transactions, counted in `summary`. `subscriptions` is the run's view, shared by its
 * attempts (a disable stops the rest).
 */
export function createRunDelivery(
  deps: PipelineDeps,
  run: {
    summary: DispatchSummary;
    slots: DispatcherSlots;
    subscriptions: Map<string, Subscription>;
    duePages: DuePages;
    wake: Wake;
  },
): Deliver {
  const { summary, slots, subscriptions, duePages, wake } = run;
  const { claim, finish } = deps.store.webhooks.sharedWrites({ writesInFlight: WRITES_IN_FLIGHT });

  /** The message as this run holds it and the lease's token; null when the run is not to send it. */
  const takeLease = async (delivery: Delivery): Promise<{ message: Omit<WebhookMessage, "position">; token: string } | null> => {
    if (delivery.from === "claimed-ahead") {
      summary.claimedAhead += 1;
      return { message: delivery.message, token: delivery.message.lease };
    }
    const { message, page } = delivery;
    if (duePages.isStale(page)) {
      duePages.forget(message);
      return null;
    }
    const token = randomUUID();
    const claimed = await claim({ message, token, leaseUntil: leaseEnd(deps) });
    if (claimed === null) {
      summary.skipped += 1;
      // Read the due messages again now: what the other dispatcher took is gone from them.
      if (duePages.markStale(page)) wake.notify();
      return null;
    }
    return { message: claimed, token };
  };

  /** One attempt at a message this run holds the lease `token` of, within the endpoint's bounds and the dispatcher's. */
  const attempt = async (held: Omit<WebhookMessage, "position">, subscription: Subscription, token: string) => {
    let report: AttemptReport;
    try {
      report = await attemptDelivery(deps, held, subscription, token, {
        finish,
        sendSlot: (send) =>
          slots.inSendSlot(held.subscriptionId, () => {
            // Disabled by another attempt's 410 (or paused) while this one waited: not sent.
            if (subscription.state !== "active") throw new SubscriptionStopped();
            return send();
          }),
      });
    } catch (error) {
      if (!(error instanceof SubscriptionStopped)) throw error;
      await parkUnsent(deps, held, "held");
      return;
    }
    summary.attempted += 1;
    slots.noteLatency(held.subscriptionId, report.latencyMs);
    if (report.outcome === "delivered") summary.delivered += 1;
    else summary.failed += 1;
  };

  return async (delivery) => {
    const { message } = delivery;
    try {
      const subscription = subscriptions.get(message.subscriptionId);
      if (subscription === undefined || subscription.state !== "active") {
        await parkUnsent(deps, message, subscription === undefined ? "cancelled" : "held");
        return;
      }
      const lease = await takeLease(delivery);
      if (lease !== null) await attempt(lease.message, subscription, lease.token);
    } catch (error) {
      deps.log.error("webhook delivery failed", { messageId: message.id, error: errorMessage(error) });
    }
  };
}
