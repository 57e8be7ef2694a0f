import type { Subscription } from "@eventwire/core";
import pLimit from "p-limit";
import type { PipelineDeps } from "../deps";

/**
 * Reads the subscriptions strongly into a run's view, updating the objects its attempts share;
 * one this run disabled stays disabled in it, and a deleted one leaves it.
 */
export async function refreshSubscriptions(
  deps: PipelineDeps,
  view: Map<string, Subscription>,
  ids: readonly string[],
): Promise<void> {
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
