import { POLL_POLICY, WEBHOOK_TYPES } from "@eventwire/core";
import * as z from "zod";

// The query and response schemas of the JSON API. Routes validate with the query schemas, and
// /openapi.json is generated from all of them, so the documentation cannot drift from the code.

const HEX_ID = /^[0-9a-f]{32}$/;
const THEME_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SOURCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const TIME_FORM = "an ISO 8601 date (2026-05-01) or date-time with a zone (2026-05-01T12:00:00Z)";

/** A date or a date-time; a bare date is the start of that day (UTC) for `since`, its end for `until`. */
function timeBound(edge: "start" | "end", description: string) {
  return z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: TIME_FORM })
    .transform((value) => {
      if (value.length === 10) return `${value}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`;
      return new Date(value).toISOString();
    })
    .optional()
    .meta({ description: `${description}: ${TIME_FORM}` });
}

/** The JSON API's named schemas: /openapi.json lists them under components.schemas. */
export const API_SCHEMAS = z.registry<{ id: string }>();

/**
 * A whole number from a query string, written in decimal digits only: `0x10`, `1e2`, `+5`, ` 5`
 * and `5.0` are refused rather than read as something the client may not have meant. One
 * message names the form and the range for any bad value.
 */
export function integerParameter(min: number, max: number) {
  const form = `a whole number from ${min} to ${max}, in decimal digits`;
  return (
    z
      .string({ error: form })
      .regex(/^[0-9]{1,10}$/, { error: form })
      .transform(Number)
      .pipe(z.number().min(min, { error: form }).max(max, { error: form }))
      // On the wire it is a string; documented as the integer it stands for.
      .meta({ type: "integer", minimum: min, maximum: max })
  );
}

/** A whole number in a JSON body, with one message naming the range for any bad value. */
function integerField(min: number, max: number, unit = "") {
  const form = `a whole number${unit} from ${min} to ${max}`;
  return z.number({ error: form }).int({ error: form }).min(min, { error: form }).max(max, { error: form });
}

const limit = integerParameter(1, 100).default(20).meta({ description: "items per page (1–100)" });

const cursor = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .meta({ description: "the `nextCursor` of the previous page: opaque (encrypted), valid only with the same filters" });

const query = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: "words that must all occur (case, accents and word endings ignored)", example: "raqqa dam" });

const theme = z
  .string()
  .regex(THEME_ID, "a theme id (lower-case letters, digits and '-')")
  .optional()
  .meta({ description: "theme id; see /api/v1/themes" });

/** GET /api/v1/events */
export const EVENTS_QUERY = z.strictObject({
  theme: theme.meta({ description: "theme id (default: the first theme; see /api/v1/themes)" }),
  q: query.meta({ description: "words that must all occur in the event's title, its articles' words or its entity names" }),
  entity: z.string().trim().min(1).max(100).optional().meta({
    description: "an entity the event names: a theme entity's id or any of its names, or a proper name",
    example: "Islamic State",
  }),
  since: timeBound("start", "events still active at or after this time (last article at or after it)"),
  until: timeBound("end", "events begun by this time (first article at or before it)"),
  minSources: integerParameter(1, 1000)
    .optional()
    .meta({ description: "fewest distinct sources reporting the event, as `sourceCount` counts them (1–1000)" }),
  limit,
  cursor,
});

/** GET /api/v1/articles */
export const ARTICLES_QUERY = z.strictObject({
  event: z.string().regex(HEX_ID, "an event id (32 hex digits)").optional().meta({ description: "only this event's articles" }),
  theme: theme.meta({ description: "only articles judged against this theme (see /api/v1/themes)" }),
  q: query.meta({ description: "words that must all occur in the title or summary" }),
  source: z
    .string()
    .regex(SOURCE_ID, "a source id (letters, digits, '.', '_', ':' or '-'; see /api/v1/sources)")
    .optional()
    .meta({ description: "only this source's articles" }),
  since: timeBound("start", "published at or after"),
  until: timeBound("end", "published at or before"),
  onTheme: z
    .enum(["true", "false"], { error: "true or false" })
    .transform((value) => value === "true")
    .optional()
    .meta({ description: "only on-theme (true) or off-theme (false) articles" }),
  limit,
  cursor,
});

const intervalSeconds = integerField(POLL_POLICY.minIntervalSeconds, POLL_POLICY.maxIntervalSeconds, " of seconds").optional();

/** POST /api/v1/sources */
export const NEW_SOURCE = z
  .strictObject({
    url: z.string().min(1).max(2048).meta({ description: "the feed's absolute http(s) URL" }),
    title: z.string().min(1).max(200).optional().meta({ description: "a name until the feed gives its own" }),
    intervalSeconds: intervalSeconds.meta({ description: "the shortest interval between polls, seconds (300)" }),
    fullText: z
      .boolean()
      .optional()
      .meta({ description: "fetch each article's page and extract its main text when the feed carries only a summary" }),
  })
  .register(API_SCHEMAS, { id: "NewSource" });

/** PATCH /api/v1/sources/{id} */
export const SOURCE_SETTINGS = z
  .strictObject({
    enabled: z.boolean().optional().meta({ description: "false stops polling; true polls again at once" }),
    fullText: z.boolean().optional().meta({ description: "fetch article pages for feeds that carry only summaries" }),
    intervalSeconds: intervalSeconds.meta({ description: "the shortest interval between polls, seconds" }),
  })
  .register(API_SCHEMAS, { id: "SourceSettings" });

/** Routes that take no query parameters. */
export const NO_QUERY = z.strictObject({});

// Responses.

export const ERROR_BODY = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "machine-readable: invalid_parameter, not_found, rate_limited, …" }),
      message: z.string().meta({ description: "what was wrong, naming the parameter or id" }),
      requestId: z.string().nullable().meta({ description: "also in the X-Request-Id header" }),
    }),
  })
  .register(API_SCHEMAS, { id: "Error" });

const link = z.string().meta({ description: "absolute URL" });

export const EVENT = z
  .object({
    id: z.string(),
    theme: z.string(),
    title: z.string().meta({ description: "from the event's most central article" }),
    firstSeen: z.string().meta({ description: "publication time of its first article" }),
    lastSeen: z.string().meta({ description: "publication time of its latest article" }),
    articleCount: z.number().int(),
    sourceCount: z.number().int().meta({
      description:
        'distinct outlets reporting the event: each article counts for the outlet it credits (a syndicated copy ending "(Other Outlet)", a wire story "BEIRUT (Reuters) -", an agency byline), else for its own source; a copy that credits no one counts for none',
    }),
    centralArticleId: z.string(),
    entities: z.array(z.object({ name: z.string(), type: z.string(), weight: z.number() })),
    terms: z
      .array(z.string())
      .meta({ description: "its strongest terms, each as the word its articles wrote most (the matcher reads stems)" }),
    url: link,
  })
  .register(API_SCHEMAS, { id: "Event" });

export const ARTICLE = z
  .object({
    id: z.string(),
    url: z.string().nullable(),
    title: z.string(),
    summary: z.string(),
    text: z.string().optional().meta({ description: "full text: only on /api/v1/articles/{id}" }),
    author: z.string().nullable(),
    language: z.string().nullable(),
    publishedAt: z.string(),
    dateInferred: z.boolean().meta({ description: "true when the feed gave no date and the fetch time stands in" }),
    fetchedAt: z.string(),
    updatedAt: z
      .string()
      .nullable()
      .meta({ description: "when a later fetch found the title or text edited (and updated it); null if never" }),
    source: z.object({ id: z.string(), title: z.string().nullable() }),
    theme: z.string(),
    onTheme: z.boolean(),
    themeScore: z.number().nullable(),
    event: z.object({ id: z.string(), url: link }).nullable(),
    explanation: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .meta({ description: "why the matcher put the article where it is: only with one article or one event" }),
  })
  .register(API_SCHEMAS, { id: "Article" });

const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "pass as `cursor` for the next page; null after the last" }),
  });

export const EVENT_PAGE = page(EVENT).register(API_SCHEMAS, { id: "EventPage" });
export const ARTICLE_PAGE = page(ARTICLE).register(API_SCHEMAS, { id: "ArticlePage" });

export const EVENT_DETAIL = EVENT.extend({
  articles: z.array(ARTICLE).meta({ description: "the newest 100, each with its explanation" }),
  moreArticles: z.string().nullable().meta({ description: "where the rest page, when there are more" }),
}).register(API_SCHEMAS, { id: "EventDetail" });

export const THEME = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    language: z.string(),
    events: link,
    feeds: z.object({ rss: link, atom: link, json: link }),
  })
  .register(API_SCHEMAS, { id: "Theme" });

export const THEME_LIST = z.object({ items: z.array(THEME) }).register(API_SCHEMAS, { id: "ThemeList" });

export const SOURCE = z
  .object({
    id: z.string(),
    url: z.string(),
    title: z.string().nullable(),
    enabled: z.boolean(),
    status: z
      .enum(["pending", "ok", "failing", "disabled"])
      .meta({ description: "pending: never fetched; failing: the last attempt failed (see lastError)" }),
    createdAt: z.string(),
    etag: z.string().nullable(),
    lastModified: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    intervalSeconds: z.number().int().meta({ description: "the shortest interval between polls, seconds" }),
    pollIntervalSeconds: z.number().int().nullable().meta({
      description:
        "the interval in use: from the feed's posting rate and the server's max-age or <ttl>, never below intervalSeconds; null before the first success",
    }),
    nextPollAt: z.string(),
    fullText: z.boolean().meta({ description: "article pages are fetched for their main text" }),
  })
  .register(API_SCHEMAS, { id: "Source" });

export const SOURCE_LIST = z.object({ items: z.array(SOURCE) }).register(API_SCHEMAS, { id: "SourceList" });

// Webhook subscriptions.

const webhookType = z.enum(WEBHOOK_TYPES, { error: `one of ${WEBHOOK_TYPES.join(", ")}` });

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
  .register(API_SCHEMAS, { id: "SubscriptionFilter" });

const endpointUrl = z.string().min(1).max(2048).meta({
  description:
    "the endpoint: https, resolving to public addresses only (http and private addresses need EVENTWIRE_ALLOW_PRIVATE_URLS)",
});
const subscriptionTypes = z.array(webhookType).min(1).max(WEBHOOK_TYPES.length).meta({ description: "message types to send" });
const description = z.string().trim().max(200).nullable().optional().meta({ description: "a note for people" });

/** POST /api/v1/subscriptions */
export const NEW_SUBSCRIPTION = z
  .strictObject({ url: endpointUrl, types: subscriptionTypes, description, filter: SUBSCRIPTION_FILTER.optional() })
  .register(API_SCHEMAS, { id: "NewSubscription" });

/** PATCH /api/v1/subscriptions/{id} */
export const SUBSCRIPTION_PATCH = z
  .strictObject({
    url: endpointUrl.optional(),
    types: subscriptionTypes.optional(),
    description,
    filter: SUBSCRIPTION_FILTER.optional().meta({ description: "fields given replace those fields; others stay" }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: "give at least one of url, types, description, filter" })
  .register(API_SCHEMAS, { id: "SubscriptionPatch" });

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
  .register(API_SCHEMAS, { id: "Subscription" });

export const SUBSCRIPTION_LIST = z.object({ items: z.array(SUBSCRIPTION) }).register(API_SCHEMAS, { id: "SubscriptionList" });

export const SUBSCRIPTION_CREATED = SUBSCRIPTION.extend({
  secret: z.string().meta({ description: "the signing secret (whsec_…): shown only now" }),
}).register(API_SCHEMAS, { id: "SubscriptionCreated" });

export const SECRET_ROTATED = z
  .object({
    secret: z.string().meta({ description: "the new signing secret: shown only now" }),
    previousSecretExpiresAt: z.string().meta({ description: "until then the old secret signs too" }),
    subscription: SUBSCRIPTION,
  })
  .register(API_SCHEMAS, { id: "SecretRotated" });

export const ATTEMPT = z
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
  .register(API_SCHEMAS, { id: "DeliveryAttempt" });

export const ATTEMPT_PAGE = page(ATTEMPT).register(API_SCHEMAS, { id: "DeliveryAttemptPage" });

export const ATTEMPT_RESULT = z
  .object({ deliveryId: z.string(), attempt: ATTEMPT.omit({ deliveryId: true, type: true, at: true, url: true }) })
  .register(API_SCHEMAS, { id: "AttemptResult" });

export const MESSAGE = z
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
  .register(API_SCHEMAS, { id: "WebhookMessage" });

export const MESSAGE_PAGE = z
  .object({
    items: z.array(MESSAGE),
    nextAfter: z.string().nullable().meta({ description: "pass as `after` to read on; also when this page is empty, to poll" }),
  })
  .register(API_SCHEMAS, { id: "WebhookMessagePage" });

/** GET /api/v1/subscriptions/{id}/deliveries */
export const DELIVERIES_QUERY = z.strictObject({ limit, cursor });

/** GET /api/v1/subscriptions/{id}/messages */
export const MESSAGES_QUERY = z.strictObject({
  after: z.string().min(1).max(2048).optional().meta({
    description: "the `nextAfter` of the previous page; absent: from the first message",
  }),
  limit,
});
