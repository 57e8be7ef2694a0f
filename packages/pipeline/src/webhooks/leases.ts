import { randomUUID } from "node:crypto";
import type { WebhookMessage } from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";
import type { PipelineDeps } from "../deps";

/** How long past an attempt's deadline its lease lasts before another dispatcher may retry it. */
const LEASE_MARGIN_MS = 30_000;

/** A lease on a message: its holder's token, and when it runs out (the message is then due to any dispatcher). */
export type MessageLease = { token: string; until: Date };

/** When a lease taken now runs out: the attempt's whole deadline, and a margin. */
export function leaseEnd(deps: PipelineDeps): Date {
  return new Date(deps.now().getTime() + deps.config.webhooks.timeoutMs + LEASE_MARGIN_MS);
}

/** A new pending message made claimed under `lease`, as a claim would leave it: due to all when the lease runs out. */
export function claimedUnder(message: NewMessage, lease: MessageLease): NewMessage {
  return { ...message, state: "sending", dueAt: lease.until.toISOString(), lease: lease.token };
}

/** Claims a message for one attempt; null when another dispatcher has it. */
export function claimForAttempt(deps: PipelineDeps, message: Pick<WebhookMessage, "id" | "dueAt" | "attempts">) {
  const token = randomUUID();
  return deps.store.webhooks
    .claimMessage(message, token, leaseEnd(deps))
    .then((claimed) => (claimed === null ? null : { claimed, token }));
}

/**
 * Takes a message this run read due, or holds claimed, out of the due index unsent (its
 * subscription stopped): held, or cancelled (the subscription is gone). One the fan-out stored
 * claimed has no position in hand (the store numbered it): it is read for it, and parked only
 * while it still holds the lease as stored (`dueAt`, the lease's end).
 */
export async function parkUnsent(
  deps: PipelineDeps,
  message: Omit<WebhookMessage, "position"> & { position?: string },
  state: "held" | "cancelled",
): Promise<void> {
  const position = message.position ?? (await deps.store.webhooks.getMessage(message.id))?.position;
  if (position === undefined) return;
  await deps.store.webhooks.parkMessage({ ...message, position }, state);
}
