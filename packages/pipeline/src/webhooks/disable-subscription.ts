import { type Subscription, wantsType } from "@eventwire/core";
import pLimit from "p-limit";
import type { PipelineDeps } from "../deps";
import { disabledMessage } from "./new-message";

/** Disables the stored subscription (`current`, its latest state) for `reason`. */
export type CarryOutDisable = (current: Subscription, reason: string) => Promise<void>;

/**
 * Disables a subscription once per run. `seen` is the run's copy, shared by its attempts: it is
 * marked disabled at once, so the run's attempts to it that have not started stay unsent. Only
 * the call that marked it gets the disable to carry out (once what it is doing is written); of
 * a run's attempts that each find a reason to disable the endpoint, one disables it, and the
 * others get null.
 */
export function disableOncePerRun(deps: PipelineDeps, seen: Subscription): CarryOutDisable | null {
  if (seen.state === "disabled") return null;
  seen.state = "disabled";
  return (current, reason) => disableSubscription(deps, current, reason);
}

/**
 * Disables a subscription (its later messages are kept, held, for catch-up) and tells the other
 * subscriptions that asked for `subscription.disabled`. The messages are made first, with ids
 * from the disable, so a crash in between makes them again, once.
 */
async function disableSubscription(deps: PipelineDeps, subscription: Subscription, reason: string): Promise<void> {
  const { store } = deps;
  const now = deps.now();
  const at = now.toISOString();
  const others = (await store.webhooks.listSubscriptions()).filter(
    (entry) => entry.id !== subscription.id && wantsType(entry.types, "subscription.disabled"),
  );
  const limit = pLimit(16);
  await Promise.all(
    others.map((other) => limit(() => store.webhooks.putMessage(disabledMessage(other, subscription, reason, now)))),
  );
  const disabled = await store.webhooks.updateSubscription(
    subscription.id,
    { state: "disabled", disabledReason: reason, disabledAt: at, updatedAt: at },
    ["active", "paused"],
  );
  if (disabled !== null) deps.log.warn("webhook subscription disabled", { subscriptionId: subscription.id, reason });
}
