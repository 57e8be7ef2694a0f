import { ALL_TYPES, WEBHOOK_TYPES } from "@eventwire/core";
import { z } from "@hono/zod-openapi";
import { cursor, HEX_ID, integerField, limit, THEME_ID } from "./parameters";
import { link, page } from "./responses";

// Webhook subscriptions: what a client registers, and the messages and attempts it can read back.

const SUBSCRIBED_TYPES = [...WEBHOOK_TYPES, ALL_TYPES] as const;
const webhookType = z.enum(SUBSCRIBED_TYPES, { error: `one of ${SUBSCRIBED_TYPES.join(", ")}` });

const SUBSCRIPTION_FILTER = z
  .strictObject({
    theme: z.string().regex(THEME_ID, "a theme id (lower-case letters, digits and '-')").optional().meta({
      description: "theme id (default: the first theme)",
    }),
    eventIds: z.array(z.string().regex(HEX_ID, "an event id (32 hex digits)")).min(1).max(100).optional().meta({
      description: "only these events",
    }),
    entities: z.array(z.string().trim().min(1).max(100)).min(1).max(20).optional().meta({
      description: "any one of these entities must be among the event's (a theme entity's id or name, or a proper name)",
    }),
    keywords: z.array(z.string().trim().min(1).max(100)).min(1).max(20).optional().meta({
      description: "words that must all occur in the event's title, words or entity names",
    }),
    minSources: integerField(1, 1000).optional().meta({
      description:
        "send nothing about an event until this many distinct sources report it (as the event's `sourceCount` counts them: a credited copy counts for the outlet it credits, an uncredited one for none); event.corroborated fires when it reaches this number (2 when unset)",
    }),
  })
  .openapi("SubscriptionFilter");

const endpointUrl = z.string().min(1).max(2048).meta({
  description:
    "the endpoint: https, resolving to public addresses only (http and private addresses need EVENTWIRE_ALLOW_PRIVATE_URLS)",
});
const subscriptionTypes = z
  .array(webhookType)
  .min(1)
  .max(SUBSCRIBED_TYPES.length)
  .meta({ description: `message types to send; "${ALL_TYPES}" sends every type, those added later included` });
const description = z.string().trim().max(200).nullable().optional().meta({ description: "a note for people" });

/** POST /api/v1/subscriptions */
export const NEW_SUBSCRIPTION = z
  .strictObject({
    url: endpointUrl,
    types: subscriptionTypes,
    description,
    filter: SUBSCRIPTION_FILTER.optional(),
  })
  .openapi("NewSubscription");

/** PATCH /api/v1/subscriptions/{id} */
export const SUBSCRIPTION_PATCH = z
  .strictObject({
    url: endpointUrl.optional(),
    types: subscriptionTypes.optional(),
    description,
    filter: SUBSCRIPTION_FILTER.optional().meta({ description: "fields given replace those fields; others stay" }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: "give at least one of url, types, description, filter" })
  .openapi("SubscriptionPatch");

export const SUBSCRIPTION = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    types: z.array(webhookType),
    filter: z.object({
      theme: z.string(),
      eventIds: z.array(z.string()).nullable(),
      entities: z.array(z.string()).nullable(),
      keywords: z.array(z.string()).nullable(),
      minSources: z.number().int().nullable(),
    }),
    state: z.enum(["active", "paused", "disabled"]).meta({
      description: "disabled: the endpoint answered 410, or failed for 5 days straight (see disabledReason); resume to enable it",
    }),
    disabledReason: z.string().nullable(),
    disabledAt: z.string().nullable(),
    failingSince: z.string().nullable().meta({ description: "the first failed attempt since the last success" }),
    lastSuccessAt: z.string().nullable(),
    secretRotation: z
      .object({ previousSecretExpiresAt: z.string() })
      .nullable()
      .meta({ description: "while an older secret still signs too" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    deliveries: link.meta({ description: "the delivery log" }),
    messages: link.meta({ description: "every message made for it, in order (catch-up)" }),
  })
  .openapi("Subscription");

export const SUBSCRIPTION_RESUMED = SUBSCRIPTION.extend({
  requeued: z.number().int().meta({ description: "held messages made due again, oldest first" }),
}).openapi("SubscriptionResumed");

export const SUBSCRIPTION_LIST = z.object({ items: z.array(SUBSCRIPTION) }).openapi("SubscriptionList");

export const SUBSCRIPTION_CREATED = SUBSCRIPTION.extend({
  secret: z.string().meta({ description: "the signing secret (whsec_…): shown only now" }),
}).openapi("SubscriptionCreated");

export const SECRET_ROTATED = z
  .object({
    secret: z.string().meta({ description: "the new signing secret: shown only now" }),
    previousSecretExpiresAt: z.string().meta({ description: "until then the old secret signs too" }),
    subscription: SUBSCRIPTION,
  })
  .openapi("SecretRotated");

const ATTEMPT = z
  .object({
    deliveryId: z.string().meta({ description: "the message id (webhook-id); POST /api/v1/deliveries/{id}/retry" }),
    type: z.string(),
    attempt: z.number().int(),
    at: z.string(),
    url: z.string(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
    outcome: z.enum(["delivered", "retry", "failed", "disabled"]),
    nextAttemptAt: z.string().nullable(),
  })
  .openapi("DeliveryAttempt");

export const ATTEMPT_PAGE = page(ATTEMPT).openapi("DeliveryAttemptPage");

export const ATTEMPT_RESULT = z
  .object({
    deliveryId: z.string(),
    attempt: ATTEMPT.omit({ deliveryId: true, type: true, at: true, url: true }),
  })
  .openapi("AttemptResult");

const MESSAGE = z
  .object({
    id: z.string().meta({ description: "the webhook-id it was sent with" }),
    type: z.string(),
    createdAt: z.string(),
    state: z.enum(["pending", "sending", "delivered", "failed", "held", "cancelled"]),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).meta({ description: "the body sent: {type, timestamp, data}" }),
  })
  .openapi("WebhookMessage");

export const MESSAGE_PAGE = z
  .object({
    items: z.array(MESSAGE),
    nextAfter: z.string().nullable().meta({ description: "pass as `after` to read on; also when this page is empty, to poll" }),
  })
  .openapi("WebhookMessagePage");

/** GET /api/v1/subscriptions/{id}/deliveries */
export const DELIVERIES_QUERY = z.strictObject({ limit, cursor });

/** GET /api/v1/subscriptions/{id}/messages */
export const MESSAGES_QUERY = z.strictObject({
  after: z.string().min(1).max(2048).optional().meta({
    description: "the `nextAfter` of the previous page; absent: from the first message",
  }),
  limit,
});
