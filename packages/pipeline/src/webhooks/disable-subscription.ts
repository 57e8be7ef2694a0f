import { type Subscription, wantsType } from "@eventwire/core";
import pLimit from "p-limit";
import type { PipelineDeps } from "../deps";
import { payloadMessage } from "./new-message";

/**
 * Marks the caller's copy of a subscription disabled; true only for the call that changed it,
 * so of a run's attempts that each find a reason to disable the endpoint, one disables it.
 */
export function markDisabledOnce(seen: Subscription): boolean {
  if (seen.state === "disabled") return false;
  seen.state = "disabled";
  return true;
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
    (entry) => entry.id !== subscription.id && wantsType(entry.types, "subscription.disabled"),
  );
  const limit = pLimit(16);
  await Promise.all(
    others.map((other) =>
      limit(() =>
        store.webhooks.putMessage(
          payloadMessage(other, {
            // The disable time tells one disable from the next (disable, resume, disable again).
            idParts: ["disabled", subscription.id, at, reason, other.id],
            payload: {
              type: "subscription.disabled",
              timestamp: at,
              data: { subscription: { id: subscription.id, description: subscription.description, reason, disabledAt: at } },
            },
            now,
          }),
        ),
      ),
    ),
  );
  const disabled = await store.webhooks.updateSubscription(
    subscription.id,
    { state: "disabled", disabledReason: reason, disabledAt: at, updatedAt: at },
    ["active", "paused"],
  );
  if (disabled !== null) deps.log.warn("webhook subscription disabled", { subscriptionId: subscription.id, reason });
}
