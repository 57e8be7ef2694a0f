import { randomUUID } from "node:crypto";
import { errorMessage, type Subscription, type WebhookMessage } from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";
import type { PipelineDeps } from "../deps";
import { type AttemptReport, attemptDelivery } from "./attempt-delivery";
import type { DispatchSummary } from "./dispatch-summary";
import type { DispatcherSlots } from "./dispatcher-slots";
import type { DuePages } from "./due-pages";
import { leaseEnd, parkClaimed } from "./leases";
import type { Wake } from "./wake";

/** Shared claim (and finish) writes under way at once in one dispatcher. */
const WRITES_IN_FLIGHT = 2;

/** Thrown by a dispatcher's send slot when the subscription stopped being active while the attempt waited. */
class SubscriptionStopped extends Error {}

/** How a dispatcher run sends a message: one it claims from a due page, or one its fan-out stored claimed. */
export type DispatcherAttempts = {
  /** Claims a message read from due page `page` and makes its attempt. */
  deliverDue(message: WebhookMessage, page: number): Promise<void>;
  /** Makes the attempt at a message the fan-out stored claimed under this run's lease. */
  deliverClaimed(message: NewMessage): Promise<void>;
};

/**
 * A run's attempts: within its slots, their claims and ends written in shared transactions,
 * counted in `summary`. `subscriptions` is the run's view, shared by its attempts (a disable
 * stops the rest); a lost claim marks its page stale in `duePages` and tells `wake`.
 */
export function createDispatcherAttempts(
  deps: PipelineDeps,
  run: {
    summary: DispatchSummary;
    slots: DispatcherSlots;
    subscriptions: Map<string, Subscription>;
    duePages: DuePages;
    wake: Wake;
  },
): DispatcherAttempts {
  const { summary, slots, subscriptions, duePages, wake } = run;
  const { claim, finish } = deps.store.webhooks.sharedWrites({ writesInFlight: WRITES_IN_FLIGHT });

  /** One attempt at a message this run holds the lease `token` of, within the endpoint's bounds and the dispatcher's. */
  const attempt = async (claimed: Omit<WebhookMessage, "position">, subscription: Subscription, token: string) => {
    let report: AttemptReport;
    try {
      report = await attemptDelivery(deps, claimed, subscription, token, {
        finish,
        sendSlot: (send) =>
          slots.inSendSlot(claimed.subscriptionId, () => {
            // Disabled by another attempt's 410 (or paused) while this one waited: not sent.
            if (subscription.state !== "active") throw new SubscriptionStopped();
            return send();
          }),
      });
    } catch (error) {
      if (!(error instanceof SubscriptionStopped)) throw error;
      await parkClaimed(deps, claimed, "held");
      return;
    }
    summary.attempted += 1;
    slots.noteLatency(claimed.subscriptionId, report.latencyMs);
    if (report.outcome === "delivered") summary.delivered += 1;
    else summary.failed += 1;
  };

  return {
    deliverDue: (message, page) =>
      slots.inPipeline(message.subscriptionId, async () => {
        try {
          const subscription = subscriptions.get(message.subscriptionId);
          if (subscription === undefined || subscription.state !== "active") {
            await deps.store.webhooks.parkMessage(message, subscription === undefined ? "cancelled" : "held");
            return;
          }
          if (duePages.isStale(page)) {
            duePages.forget(message);
            return;
          }
          const token = randomUUID();
          const claimed = await claim({ message, token, leaseUntil: leaseEnd(deps) });
          if (claimed === null) {
            summary.skipped += 1;
            // Read the due messages again now: what the other dispatcher took is gone from them.
            if (duePages.markStale(page)) wake.notify();
            return;
          }
          await attempt(claimed, subscription, token);
        } catch (error) {
          deps.log.error("webhook delivery failed", { messageId: message.id, error: errorMessage(error) });
        }
      }),

    deliverClaimed: async (message) => {
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
    },
  };
}
