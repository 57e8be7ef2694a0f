import type { WebhookMessage } from "@eventwire/core";
import { type Item, pickFields } from "./items";
import { keys } from "./keys";

/**
 * A message as it is made: the store gives it its position. One made `sending` is stored
 * claimed, as `claimMessages` leaves a message: `lease` is its maker's token and `dueAt` the
 * lease's end, when it is due to any dispatcher (its maker died before finishing it).
 */
export type NewMessage = Omit<WebhookMessage, "position"> & { lease?: string };

const MESSAGE_FIELDS = [
  "id",
  "subscriptionId",
  "type",
  "body",
  "createdAt",
  "position",
  "state",
  "attempts",
  "dueAt",
  "lastStatusCode",
  "lastError",
  "deliveredAt",
] as const satisfies readonly (keyof WebhookMessage)[];

const messageFromItem = (item: Item) => pickFields<WebhookMessage>(item, MESSAGE_FIELDS);

/** A message as stored: `type` is the item's entity type, the message's own type is `messageType`. */
export function messageFromStoredItem(item: Item): WebhookMessage {
  return { ...messageFromItem(item), type: item.messageType as WebhookMessage["type"] };
}

/** The held-index attributes of a message kept for its paused or disabled subscription. */
export function heldIndex(message: Pick<WebhookMessage, "subscriptionId" | "position">) {
  return { gsi2pk: keys.heldMessages, gsi2sk: `${message.subscriptionId}#${message.position}` };
}

/** The due-index attributes of a message that waits for an attempt at `dueAt`. */
export function dueIndex(id: string, dueAt: string) {
  return { gsi2pk: keys.dueMessages, gsi2sk: `${dueAt}#${id}` };
}
