import * as z from "zod";
import { API_SCHEMAS } from "../schemas/registry";
import { ARTICLE_OPERATIONS } from "./articles";
import { EVENT_OPERATIONS } from "./events";
import { FEED_OPERATIONS } from "./feeds";
import { META_OPERATIONS } from "./meta";
import type { Operation } from "./operation";
import { type JsonSchema, operationObject, withoutDialect } from "./render-operation";
import { SOURCE_OPERATIONS } from "./sources";
import { subscriptionOperations } from "./subscriptions";
import { THEME_OPERATIONS } from "./themes";

// Every route, in the order /openapi.json lists them.
const OPERATIONS: Operation[] = [
  ...EVENT_OPERATIONS,
  ...ARTICLE_OPERATIONS,
  ...THEME_OPERATIONS,
  ...SOURCE_OPERATIONS,
  ...subscriptionOperations(),
  ...FEED_OPERATIONS,
  ...META_OPERATIONS,
];

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
        Location: header("where a merged-away event answers now: the same route of its successor"),
      },
      securitySchemes: { adminKey: { type: "http", scheme: "bearer", description: "EVENTWIRE_ADMIN_KEY" } },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
