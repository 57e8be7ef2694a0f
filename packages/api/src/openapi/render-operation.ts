import * as z from "zod";
import { MAX_BODY_BYTES, MAX_REQUEST_URL_LENGTH } from "../request-limits";
import { API_SCHEMAS } from "../schemas/registry";
import type { Operation, Schema } from "./operation";

export type JsonSchema = Record<string, unknown>;

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

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function registeredId(schema: Schema): string {
  const id = API_SCHEMAS.get(schema)?.id;
  if (id === undefined) throw new Error("a documented schema must be registered in API_SCHEMAS");
  return id;
}

export function withoutDialect(schema: JsonSchema): JsonSchema {
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

/** One operation as OpenAPI writes it: its parameters, request body, and every answer it can give. */
export function operationObject(operation: Operation) {
  const rated = operation.path !== "/health";
  const okHeaders = [...(operation.cached ? ["ETag", "Cache-Control"] : []), ...(rated ? RATE_HEADERS : [])];
  const content =
    operation.ok.schema !== undefined
      ? { "application/json": { schema: ref(registeredId(operation.ok.schema)) } }
      : Object.fromEntries((operation.ok.mediaTypes ?? ["application/json"]).map((type) => [type, {}]));
  const responses: Record<string, unknown> = {
    [operation.ok.status]: { description: operation.ok.description, headers: headerRefs(okHeaders), content },
  };
  if (operation.moved !== undefined) {
    responses[301] = {
      description: operation.moved.description,
      headers: headerRefs(["Location", "Cache-Control"]),
      ...(operation.moved.schema === undefined
        ? {}
        : { content: { "application/json": { schema: ref(registeredId(operation.moved.schema)) } } }),
    };
  }
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
