import * as z from "zod";
import { MAX_BODY_BYTES, MAX_URL_LENGTH } from "./request-limits";
import { EVENTS_QUERY as EVENTS_FEED_QUERY, FEED_QUERY } from "./routes/feeds";
import {
  API_SCHEMAS,
  ARTICLE,
  ARTICLE_PAGE,
  ARTICLES_QUERY,
  ATTEMPT_PAGE,
  ATTEMPT_RESULT,
  DELIVERIES_QUERY,
  EVENT_DETAIL,
  EVENT_PAGE,
  EVENTS_QUERY,
  MESSAGE_PAGE,
  MESSAGES_QUERY,
  NEW_SOURCE,
  NEW_SUBSCRIPTION,
  NO_QUERY,
  SECRET_ROTATED,
  SOURCE,
  SOURCE_LIST,
  SOURCE_SETTINGS,
  SUBSCRIPTION,
  SUBSCRIPTION_CREATED,
  SUBSCRIPTION_LIST,
  SUBSCRIPTION_PATCH,
  THEME_LIST,
} from "./schemas";

type Schema = z.ZodType;
type JsonSchema = Record<string, unknown>;

/** One documented operation: its inputs and its answers, as the route validates and sends them. */
type Operation = {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: string;
  summary: string;
  description?: string;
  pathParameters?: Record<string, string>;
  query?: z.ZodObject;
  body?: Schema;
  /** The success answer: a registered schema (JSON) or a media type (feeds, pages). */
  ok: { status: 200 | 201 | 204; description: string; schema?: Schema; mediaTypes?: string[] };
  /** Error statuses besides 429 and 500. */
  errors: number[];
  admin?: boolean;
  /** Answers carry ETag and Cache-Control, and 304 on If-None-Match. */
  cached?: boolean;
};

const HEX_ID = "32 hex digits";

/** A feed route: `{name}.{format}` in RSS, Atom or JSON Feed, paged with opaque cursors. */
function feedOperation(path: string, summary: string, name: string, query: z.ZodObject): Operation {
  const parameter = path.includes("{id}") ? "id" : "theme";
  return {
    method: "get",
    path,
    tag: "feeds",
    summary,
    pathParameters: { [parameter]: name, format: "rss, atom, json, or xml (RSS or Atom by the Accept header)" },
    query,
    ok: {
      status: 200,
      description: "the feed",
      mediaTypes: ["application/rss+xml", "application/atom+xml", "application/feed+json"],
    },
    errors: [400, 404],
    cached: true,
  };
}

const SUBSCRIPTION_PARAMETER = { id: "subscription id (sub_ and 32 hex digits)" };

/** The webhook management routes: all need the admin key. */
function subscriptionOperations(): Operation[] {
  const admin = (operation: Omit<Operation, "tag" | "admin" | "errors"> & { errors?: number[] }): Operation => ({
    tag: "webhooks",
    admin: true,
    ...operation,
    errors: operation.errors ?? [401, 404, 503],
  });
  return [
    admin({
      method: "get",
      path: "/api/v1/subscriptions",
      summary: "Every webhook subscription (never its secrets)",
      query: NO_QUERY,
      ok: { status: 200, description: "the subscriptions", schema: SUBSCRIPTION_LIST },
      errors: [400, 401, 503],
    }),
    admin({
      method: "post",
      path: "/api/v1/subscriptions",
      summary: "Register an endpoint; the answer shows its signing secret, once",
      description:
        "The URL must be https and resolve only to public addresses (loopback, private, link-local, CGNAT and the cloud metadata address are refused; the address is checked again on every send). Messages follow Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.",
      body: NEW_SUBSCRIPTION,
      ok: { status: 201, description: "created, with `secret`", schema: SUBSCRIPTION_CREATED },
      errors: [400, 401, 503],
    }),
    admin({
      method: "get",
      path: "/api/v1/subscriptions/{id}",
      summary: "One subscription, its state and why it was disabled",
      pathParameters: SUBSCRIPTION_PARAMETER,
      query: NO_QUERY,
      ok: { status: 200, description: "the subscription", schema: SUBSCRIPTION },
    }),
    admin({
      method: "patch",
      path: "/api/v1/subscriptions/{id}",
      summary: "Change the URL, types, description or filter",
      pathParameters: SUBSCRIPTION_PARAMETER,
      body: SUBSCRIPTION_PATCH,
      ok: { status: 200, description: "the subscription", schema: SUBSCRIPTION },
      errors: [400, 401, 404, 503],
    }),
    admin({
      method: "delete",
      path: "/api/v1/subscriptions/{id}",
      summary: "Delete a subscription (its undelivered messages are cancelled)",
      pathParameters: SUBSCRIPTION_PARAMETER,
      ok: { status: 204, description: "deleted", mediaTypes: [] },
    }),
    ...(["pause", "resume"] as const).map((action) =>
      admin({
        method: "post",
        path: `/api/v1/subscriptions/{id}/${action}`,
        summary:
          action === "pause"
            ? "Hold deliveries (messages are still made and kept)"
            : "Deliver again: held messages are sent, a disabled subscription is enabled",
        pathParameters: SUBSCRIPTION_PARAMETER,
        ok: { status: 200, description: "the subscription", schema: SUBSCRIPTION },
        errors: [401, 404, 409, 503],
      }),
    ),
    admin({
      method: "post",
      path: "/api/v1/subscriptions/{id}/rotate-secret",
      summary: "A new signing secret; the old one signs too for 24 hours",
      pathParameters: SUBSCRIPTION_PARAMETER,
      ok: { status: 200, description: "the new secret, shown once", schema: SECRET_ROTATED },
    }),
    admin({
      method: "post",
      path: "/api/v1/subscriptions/{id}/test",
      summary: "Send a signed `ping` now and answer with the attempt",
      pathParameters: SUBSCRIPTION_PARAMETER,
      ok: { status: 200, description: "the attempt", schema: ATTEMPT_RESULT },
    }),
    admin({
      method: "get",
      path: "/api/v1/subscriptions/{id}/deliveries",
      summary: "The delivery log: every attempt, newest first (kept 30 days)",
      pathParameters: SUBSCRIPTION_PARAMETER,
      query: DELIVERIES_QUERY,
      ok: { status: 200, description: "a page of attempts", schema: ATTEMPT_PAGE },
      errors: [400, 401, 404, 503],
    }),
    admin({
      method: "get",
      path: "/api/v1/subscriptions/{id}/messages",
      summary: "Catch up: every message made for the subscription, in order, delivered or not",
      description:
        "Messages are kept while the endpoint is down, paused or disabled. Pass the answer's `nextAfter` as `after` to read on; an empty page keeps the same `nextAfter`, so polling with it sees new messages once.",
      pathParameters: SUBSCRIPTION_PARAMETER,
      query: MESSAGES_QUERY,
      ok: { status: 200, description: "a page of messages", schema: MESSAGE_PAGE },
      errors: [400, 401, 404, 503],
    }),
    admin({
      method: "post",
      path: "/api/v1/deliveries/{id}/retry",
      summary: "Send one message again now (same webhook-id)",
      pathParameters: { id: "delivery id: the message id (msg_ and 32 hex digits)" },
      ok: { status: 200, description: "the attempt", schema: ATTEMPT_RESULT },
      errors: [401, 404, 409, 503],
    }),
  ];
}

const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/v1/events",
    tag: "events",
    summary: "A theme's events, the most recently active first",
    description:
      "Filters combine. Words, entity, `until` and `minSources` are applied while reading the theme's events in order, at most a set number per request: a page may then hold fewer than `limit` events, or none, and still have a `nextCursor`. Follow it until it is null to get every match exactly once.",
    query: EVENTS_QUERY,
    ok: { status: 200, description: "a page of events", schema: EVENT_PAGE },
    errors: [400],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/events/{id}",
    tag: "events",
    summary: "One event with its newest 100 articles and why each is there",
    pathParameters: { id: `event id (${HEX_ID})` },
    query: NO_QUERY,
    ok: { status: 200, description: "the event", schema: EVENT_DETAIL },
    errors: [400, 404],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/articles",
    tag: "articles",
    summary: "Stored articles, newest first",
    description:
      "Filters combine. `event`, `source`, or `theme` with `onTheme` pick an index; the other filters and `q` are applied while reading it, at most a set number of articles per request: a page may then hold fewer than `limit` articles, or none, and still have a `nextCursor`. Follow it until it is null to get every match exactly once.",
    query: ARTICLES_QUERY,
    ok: { status: 200, description: "a page of articles (without full text)", schema: ARTICLE_PAGE },
    errors: [400],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/articles/{id}",
    tag: "articles",
    summary: "One article with its full text and the matcher's explanation",
    pathParameters: { id: `article id (${HEX_ID})` },
    query: NO_QUERY,
    ok: { status: 200, description: "the article", schema: ARTICLE },
    errors: [400, 404],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/themes",
    tag: "themes",
    summary: "The themes this server follows",
    query: NO_QUERY,
    ok: { status: 200, description: "every theme", schema: THEME_LIST },
    errors: [400],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/sources",
    tag: "sources",
    summary: "The polled feeds, each with its fetch status",
    query: NO_QUERY,
    ok: { status: 200, description: "every source", schema: SOURCE_LIST },
    errors: [400],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/sources/{id}",
    tag: "sources",
    summary: "One source and its fetch status",
    pathParameters: { id: "source id" },
    query: NO_QUERY,
    ok: { status: 200, description: "the source", schema: SOURCE },
    errors: [400, 404],
    cached: true,
  },
  {
    method: "post",
    path: "/api/v1/sources",
    tag: "sources",
    summary: "Add a feed (adding it again changes nothing)",
    body: NEW_SOURCE,
    ok: { status: 201, description: "added (200: it was there already)", schema: SOURCE },
    errors: [400, 401, 503],
    admin: true,
  },
  {
    method: "patch",
    path: "/api/v1/sources/{id}",
    tag: "sources",
    summary: "Change a source's settings: enabled, fullText, intervalSeconds",
    pathParameters: { id: "source id" },
    body: SOURCE_SETTINGS,
    ok: { status: 200, description: "the source as changed", schema: SOURCE },
    errors: [400, 401, 404, 503],
    admin: true,
  },
  {
    method: "post",
    path: "/api/v1/sources/{id}/refresh",
    tag: "sources",
    summary: "Fetch one source now",
    pathParameters: { id: "source id" },
    ok: { status: 200, description: "the fetch's result" },
    errors: [401, 404, 502, 503, 504],
    admin: true,
  },
  {
    method: "post",
    path: "/api/v1/ingest/run",
    tag: "sources",
    summary: "Fetch every due source now",
    ok: { status: 200, description: "the run's summary" },
    errors: [401, 502, 503, 504],
    admin: true,
  },
  ...subscriptionOperations(),
  feedOperation("/feeds/{theme}.{format}", "A theme's newest on-theme articles as a feed", "theme id", FEED_QUERY),
  feedOperation(
    "/feeds/{theme}/events.{format}",
    "A theme's events as a feed, one item per event",
    "theme id",
    EVENTS_FEED_QUERY,
  ),
  feedOperation("/feeds/events/{id}.{format}", "One event's articles as a feed", `event id (${HEX_ID})`, FEED_QUERY),
  {
    method: "get",
    path: "/health",
    tag: "meta",
    summary: "Whether the table answers (never rate-limited, never cached)",
    ok: { status: 200, description: "ok", mediaTypes: ["application/json"] },
    errors: [503],
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "meta",
    summary: "This document",
    ok: { status: 200, description: "OpenAPI 3.1", mediaTypes: ["application/json"] },
    errors: [],
    cached: true,
  },
  {
    method: "get",
    path: "/docs",
    tag: "meta",
    summary: "This document as a page",
    ok: { status: 200, description: "HTML", mediaTypes: ["text/html"] },
    errors: [],
    cached: true,
  },
];

const ERROR_TEXT: Record<number, string> = {
  400: "a query parameter or body field is invalid: the message names it and the expected form",
  401: "the admin key is missing or wrong",
  404: "no such id",
  409: "the subscription or delivery is in a state that does not allow this now",
  413: `the request body is past ${MAX_BODY_BYTES / 1024} KiB (payload_too_large)`,
  414: `the URL is past ${MAX_URL_LENGTH / 1024} KiB (uri_too_long)`,
  415: "the body is not sent as `Content-Type: application/json` (unsupported_media_type)",
  429: "too many requests from this address: wait `Retry-After` seconds",
  500: "the server failed; the request id is in the log",
  502: "deployed: the ingest worker function failed (upstream_failed); the message names its error",
  503: "unavailable: the table does not answer (/health), management routes are off (no admin key), or (deployed) the ingest worker is throttled or not linked",
  504: "deployed: the ingest worker timed out or did not answer in time (upstream_timeout); a run it started goes on",
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function registeredId(schema: Schema): string {
  const id = API_SCHEMAS.get(schema)?.id;
  if (id === undefined) throw new Error("a documented schema must be registered in API_SCHEMAS");
  return id;
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function queryParameters(query: z.ZodObject) {
  return Object.entries(query.shape).map(([name, field]) => {
    const { description, ...schema } = withoutDialect(z.toJSONSchema(field as Schema, { io: "input" }) as JsonSchema);
    return { name, in: "query", required: !(field as Schema).safeParse(undefined).success, description, schema };
  });
}

const RATE_HEADERS = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"];
const headerRefs = (names: string[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

function operationObject(operation: Operation) {
  const rated = operation.path !== "/health";
  const okHeaders = [...(operation.cached ? ["ETag", "Cache-Control"] : []), ...(rated ? RATE_HEADERS : [])];
  const content =
    operation.ok.schema !== undefined
      ? { "application/json": { schema: ref(registeredId(operation.ok.schema)) } }
      : Object.fromEntries((operation.ok.mediaTypes ?? ["application/json"]).map((type) => [type, {}]));
  const responses: Record<string, unknown> = {
    [operation.ok.status]: { description: operation.ok.description, headers: headerRefs(okHeaders), content },
  };
  if (operation.cached) {
    responses[304] = { description: "not modified (If-None-Match matched the ETag)", headers: headerRefs(["ETag"]) };
  }
  // Every request is bounded (request-limits.ts): the URL always, the body where one is read.
  const bounded = operation.body !== undefined ? [413, 414, 415] : [414];
  for (const status of [...operation.errors, ...bounded, ...(rated ? [429] : []), 500].sort((a, b) => a - b)) {
    responses[status] = {
      description: ERROR_TEXT[status] ?? "error",
      ...(status === 429 ? { headers: headerRefs(["Retry-After", ...RATE_HEADERS]) } : {}),
      content: { "application/json": { schema: ref("Error") } },
    };
  }
  const parameters = [
    ...Object.entries(operation.pathParameters ?? {}).map(([name, description]) => ({
      name,
      in: "path",
      required: true,
      description,
      schema: { type: "string" },
    })),
    ...(operation.query === undefined ? [] : queryParameters(operation.query)),
  ];
  return {
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description !== undefined ? { description: operation.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body !== undefined
      ? { requestBody: { required: true, content: { "application/json": { schema: ref(registeredId(operation.body)) } } } }
      : {}),
    ...(operation.admin ? { security: [{ adminKey: [] }] } : {}),
    responses,
  };
}

const header = (description: string, type: "string" | "integer" = "string") => ({ description, schema: { type } });

/** The OpenAPI 3.1 document of the HTTP interface, generated from the schemas the routes validate with. */
export function openApiDocument(info: { version: string; serverUrl: string }) {
  const { schemas } = z.toJSONSchema(API_SCHEMAS, { uri: (id) => `#/components/schemas/${id}`, io: "output" }) as {
    schemas: Record<string, JsonSchema>;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: operationObject(operation) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "eventwire",
      version: info.version,
      description:
        'News articles matched into events, served as JSON and as RSS, Atom and JSON Feed. Errors are `{"error":{"code","message","requestId"}}`. Cursors are opaque (encrypted and authenticated).',
    },
    servers: [{ url: info.serverUrl }],
    tags: ["events", "articles", "themes", "sources", "webhooks", "feeds", "meta"].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutDialect(schema)])),
      headers: {
        ETag: header("strong validator: a hash of the body"),
        "Cache-Control": header("public, max-age=… (sources: no-cache)"),
        "RateLimit-Limit": header("requests a client may make at once", "integer"),
        "RateLimit-Remaining": header("requests left now", "integer"),
        "RateLimit-Reset": header("seconds until the allowance is whole again", "integer"),
        "RateLimit-Policy": header("the allowance and its window in seconds: `60;w=30`"),
        "Retry-After": header("seconds to wait", "integer"),
      },
      securitySchemes: { adminKey: { type: "http", scheme: "bearer", description: "EVENTWIRE_ADMIN_KEY" } },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
