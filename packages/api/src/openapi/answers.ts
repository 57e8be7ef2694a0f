import { type RouteConfig, z } from "@hono/zod-openapi";
import { MAX_BODY_BYTES, MAX_REQUEST_URL_LENGTH } from "../request-limits";
import { ERROR_BODY } from "../schemas/responses";

// What a route's documentation says besides its inputs: the answers it can give, with their
// headers, and who may call it. Each route file builds its `createRoute` objects from these.

/** The operation's security: the admin key (bearer), or none (a public route says so). */
export const ADMIN: RouteConfig["security"] = [{ adminKey: [] }];
export const PUBLIC: RouteConfig["security"] = [];

const ERROR_TEXT: Record<number, string> = {
  400: "a query parameter or body field is invalid: the message names it and the expected form",
  401: "the admin key is missing or wrong",
  404: "no such id",
  409: "the subscription or delivery is in a state that does not allow this now",
  413: `the request body is past ${MAX_BODY_BYTES / 1024} KiB (payload_too_large)`,
  414: `the URL is past ${MAX_REQUEST_URL_LENGTH / 1024} KiB (uri_too_long)`,
  415: "the body is not sent as `Content-Type: application/json` (unsupported_media_type)",
  429: "too many requests from this address: wait `Retry-After` seconds",
  500: "the server failed; the request id is in the log",
  502: "deployed: the ingest worker function failed (upstream_failed); the message names its error",
  503: "unavailable: the table does not answer (/health), management routes are off (no admin key), or (deployed) the ingest worker is throttled or not linked",
  504: "deployed: the ingest worker timed out or did not answer in time (upstream_timeout); a run it started goes on",
};

const RATE_HEADERS = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"];
const headerRefs = (names: string[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
const json = (schema: z.ZodType) => ({ "application/json": { schema } });

/** The answers of one route, as `createRoute` takes them. */
export type AnswersSpec = {
  /** The success answer: its JSON schema, or its schema in each media type it comes in (feeds, pages). */
  ok: { status?: 200 | 201 | 204; description: string; schema?: z.ZodType; content?: Record<string, z.ZodType> };
  /** A 301 the route may answer with (a merged-away event): what it says, and its JSON body. */
  moved?: { description: string; schema: z.ZodType };
  /** Error statuses besides the bounds every request has (414; 413 and 415 with a body), 429 and 500. */
  errors: number[];
  /** Answers carry ETag and Cache-Control, and 304 on If-None-Match. */
  cached?: boolean;
  /** The route reads a JSON body. */
  body?: boolean;
  /** False for the one route the rate limit never counts (/health). */
  rated?: boolean;
};

/** Every answer a route can give: its success, a 301 and a 304 where it has them, and its errors, each with its headers. */
export function answers(spec: AnswersSpec): RouteConfig["responses"] {
  const rated = spec.rated ?? true;
  const okHeaders = [...(spec.cached ? ["ETag", "Cache-Control"] : []), ...(rated ? RATE_HEADERS : [])];
  const content =
    spec.ok.schema !== undefined
      ? json(spec.ok.schema)
      : spec.ok.content !== undefined
        ? Object.fromEntries(Object.entries(spec.ok.content).map(([type, schema]) => [type, { schema }]))
        : undefined;
  const responses: RouteConfig["responses"] = {
    [spec.ok.status ?? 200]: {
      description: spec.ok.description,
      headers: headerRefs(okHeaders),
      ...(content === undefined ? {} : { content }),
    },
  };
  if (spec.moved !== undefined) {
    responses[301] = {
      description: spec.moved.description,
      headers: headerRefs(["Location", "Cache-Control"]),
      content: json(spec.moved.schema),
    };
  }
  if (spec.cached) {
    responses[304] = { description: "not modified (If-None-Match matched the ETag)", headers: headerRefs(["ETag"]) };
  }
  // Every request is bounded (request-limits.ts): the URL always, the body where one is read.
  const bounded = spec.body ? [413, 414, 415] : [414];
  for (const status of [...spec.errors, ...bounded, ...(rated ? [429] : []), 500].sort((a, b) => a - b)) {
    responses[status] = {
      description: ERROR_TEXT[status] ?? "error",
      ...(status === 429 ? { headers: headerRefs(["Retry-After", ...RATE_HEADERS]) } : {}),
      content: json(ERROR_BODY),
    };
  }
  return responses;
}

/** The path parameters of a route, each with what it names; every value is taken as text (a malformed id is a 404). */
export function pathParameters<K extends string>(described: Record<K, string>) {
  const shape = Object.fromEntries(
    Object.entries<string>(described).map(([name, description]) => [name, z.string().meta({ description })]),
  ) as Record<K, z.ZodString>;
  return z.object(shape);
}

/** A required JSON request body of the given schema. */
export function jsonRequest<S extends z.ZodType>(schema: S) {
  return { required: true, content: { "application/json": { schema } } };
}
