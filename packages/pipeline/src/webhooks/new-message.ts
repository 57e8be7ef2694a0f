import { hashId, type MessageType, type Subscription, serializePayload, type WebhookPayload } from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";

/** A new message to one subscription, due now when it is active, held while it is paused or disabled. */
function newMessage(subscription: Subscription, input: { id: string; type: MessageType; body: string; now: Date }): NewMessage {
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
 * A new message carrying `payload` to one subscription: its id a hash of `idParts` (what tells
 * this message from every other, so making it again gives the same id and it is stored once),
 * its body the payload serialised once, the bytes every attempt signs and sends.
 */
export function payloadMessage(
  subscription: Subscription,
  input: { idParts: readonly string[]; payload: WebhookPayload; now: Date },
): NewMessage {
  const id = `msg_${hashId(...input.idParts)}`;
  const body = serializePayload(input.payload);
  return newMessage(subscription, { id, type: input.payload.type, body, now: input.now });
}
