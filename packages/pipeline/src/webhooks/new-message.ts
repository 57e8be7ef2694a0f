import {
  type ArticleSummary,
  articlePayload,
  correctionData,
  type EventChange,
  type EventState,
  eventPayload,
  hashId,
  type MessageType,
  type Subscription,
  serializePayload,
  type WebhookPayload,
} from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";

// Every message is made here: its id (a hash of what tells it from every other message, so
// making it again gives the same id and it is stored once) and its body (the payload
// serialised once: the bytes every attempt signs and sends).

/** A new message carrying `payload` to one subscription: due now when it is active, held while it is paused or disabled. */
function payloadMessage(
  subscription: Subscription,
  input: { idParts: readonly string[]; payload: WebhookPayload; now: Date },
): NewMessage {
  const active = subscription.state === "active";
  return {
    id: `msg_${hashId(...input.idParts)}`,
    subscriptionId: subscription.id,
    type: input.payload.type,
    body: serializePayload(input.payload),
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
 * The message of type `type` that an event change makes for one subscription: one a change,
 * subscription, type and article. `event` is the changed event, `related` a maintenance
 * change's other one, `article` the one it announces; links are under `linkBase`.
 */
export function changeMessage(
  subscription: Subscription,
  input: {
    change: EventChange;
    type: MessageType;
    event: EventState;
    related: EventState | undefined;
    article: ArticleSummary | undefined;
    linkBase: string | null;
    now: Date;
  },
): NewMessage {
  const { change, type, event, article, linkBase } = input;
  const data =
    type === "event.merged" || type === "event.split"
      ? correctionData(event, change, input.related, linkBase)
      : {
          event: eventPayload(event, change, linkBase),
          ...(article !== undefined ? { article: articlePayload(article, linkBase) } : {}),
        };
  return payloadMessage(subscription, {
    idParts: ["change", change.themeId, String(change.seq), subscription.id, type, article?.id ?? ""],
    payload: { type, timestamp: change.at, data },
    now: input.now,
  });
}

/**
 * The message that tells `to` that `disabled` was disabled at `now` for `reason`. The disable
 * time tells one disable from the next (disable, resume, disable again).
 */
export function disabledMessage(
  to: Subscription,
  disabled: Pick<Subscription, "id" | "description">,
  reason: string,
  now: Date,
): NewMessage {
  const at = now.toISOString();
  return payloadMessage(to, {
    idParts: ["disabled", disabled.id, at, reason, to.id],
    payload: {
      type: "subscription.disabled",
      timestamp: at,
      data: { subscription: { id: disabled.id, description: disabled.description, reason, disabledAt: at } },
    },
    now,
  });
}

/** A test ping to one subscription, sent now whatever its state; `nonce` makes each ping its own message. */
export function pingMessage(subscription: Subscription, now: Date, nonce: string): NewMessage {
  const at = now.toISOString();
  return payloadMessage(
    { ...subscription, state: "active" },
    {
      idParts: ["ping", subscription.id, at, nonce],
      payload: { type: "ping", timestamp: at, data: { subscription: { id: subscription.id } } },
      now,
    },
  );
}
