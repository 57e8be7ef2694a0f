import { z } from "zod";
import { EVENTS_QUERY as EVENTS_FEED_QUERY, FEED_QUERY } from "./routes/feeds";
import {
  API_SCHEMAS,
  ARTICLE,
  ARTICLE_PAGE,
  ARTICLES_QUERY,
  EVENT_DETAIL,
  EVENT_PAGE,
  EVENTS_QUERY,
  NEW_SOURCE,
  NO_QUERY,
  SOURCE,
  SOURCE_LIST,
  SOURCE_SETTINGS,
  THEME_LIST,
} from "./schemas";

type Schema = z.ZodType;
type JsonSchema = Record<string, unknown>;

/** One documented operation: its inputs and its answers, as the route validates and sends them. */
type Operation = {
  method: "get" | "post" | "patch";
  path: string;
  tag: string;
  summary: string;
  description?: string;
  pathParameters?: Record<string, string>;
  query?: z.ZodObject;
  body?: Schema;
  /** The success answer: a registered schema (JSON) or a media type (feeds, pages). */
  ok: { status: 200 | 201; description: string; schema?: Schema; mediaTypes?: string[] };
  /** Error statuses besides 429 and 500. */
  errors: number[];
  admin?: boolean;
  /** Answers carry ETag and Cache-Control, and 304 on If-None-Match. */
  cached?: boolean;
};

const HEX_ID = "32 hex digits";

/** A feed route: `{name}.{format}` in RSS, Atom or JSON Feed, paged with signed cursors. */
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
    errors: [401, 404, 503],
    admin: true,
  },
  {
    method: "post",
    path: "/api/v1/ingest/run",
    tag: "sources",
    summary: "Fetch every due source now",
    ok: { status: 200, description: "the run's summary" },
    errors: [401, 503],
    admin: true,
  },
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
  429: "too many requests from this address: wait `Retry-After` seconds",
  500: "the server failed; the request id is in the log",
  503: "unavailable: the table does not answer (/health), or management routes are off (no admin key)",
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
  for (const status of [...operation.errors, ...(rated ? [429] : []), 500]) {
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
        'News articles matched into events, served as JSON and as RSS, Atom and JSON Feed. Errors are `{"error":{"code","message","requestId"}}`. Cursors are opaque and signed.',
    },
    servers: [{ url: info.serverUrl }],
    tags: ["events", "articles", "themes", "sources", "feeds", "meta"].map((name) => ({ name })),
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
