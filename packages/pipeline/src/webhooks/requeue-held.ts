import pLimit from "p-limit";
import type { PipelineDeps } from "../deps";

/** Held messages of one active subscription made due per dispatch (the rest on the next). */
const HELD_BATCH = 500;

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
