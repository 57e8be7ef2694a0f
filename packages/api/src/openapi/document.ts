import type { OpenAPIHono } from "@hono/zod-openapi";

// The document's parts that belong to no one route: the tags, the headers the answers name, the
// admin key's scheme. The routes themselves are listed by `mountRoute` as each is served.

/** The tags, in the order the document lists them, each with what its routes are about. */
const TAGS = [
  { name: "events", description: "Events: clusters of articles about one happening, listed by theme and read one by one" },
  { name: "articles", description: "The stored articles, each naming its event, with the matcher's explanation" },
  { name: "themes", description: "The topics this server follows, each with its listings and feeds" },
  {
    name: "sources",
    description: "The polled feeds and their fetch state; adding, changing and fetching them needs the admin key",
  },
  {
    name: "webhooks",
    description: "Webhook subscriptions, their messages and delivery log (Standard Webhooks); all need the admin key",
  },
  { name: "feeds", description: "RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents, paged with opaque cursors (RFC 5005 links)" },
  { name: "meta", description: "Health and this document" },
] as const;

const header = (description: string, type: "string" | "integer" = "string") => ({ description, schema: { type } });

// biome-ignore lint/suspicious/noExplicitAny: the registry does not depend on the app's types.
type AnyApp = OpenAPIHono<any, any, any>;

/** Registers the shared components every route's answers refer to: headers and the admin key's scheme. */
export function registerSharedComponents(app: AnyApp): void {
  const headers: Record<string, ReturnType<typeof header>> = {
    ETag: header("strong validator: a hash of the body"),
    "Cache-Control": header("public, max-age=… (sources: no-cache)"),
    "RateLimit-Limit": header("requests a client may make at once", "integer"),
    "RateLimit-Remaining": header("requests left now", "integer"),
    "RateLimit-Reset": header("seconds until the allowance is whole again", "integer"),
    "RateLimit-Policy": header("the allowance and its window in seconds: `60;w=30`"),
    "Retry-After": header("seconds to wait", "integer"),
    Location: header("where a merged-away event answers now: the same route of its successor"),
  };
  for (const [name, object] of Object.entries(headers)) app.openAPIRegistry.registerComponent("headers", name, object);
  app.openAPIRegistry.registerComponent("securitySchemes", "adminKey", {
    type: "http",
    scheme: "bearer",
    description: "EVENTWIRE_ADMIN_KEY",
  });
}

/**
 * The OpenAPI 3.1 document of the HTTP interface, generated from the routes the app serves (their
 * `createRoute` objects: the schemas that validate requests and answers) once the app is built.
 * `serverUrl` is the request's; the rest is made once per app.
 */
export function openApiDocumentOf(app: AnyApp, version: string) {
  let made: ReturnType<AnyApp["getOpenAPI31Document"]> | null = null;
  return (serverUrl: string) => {
    made ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "eventwire",
        version,
        description:
          'News articles matched into events, served as JSON and as RSS, Atom and JSON Feed. Errors are `{"error":{"code","message","requestId"}}`. Cursors are opaque (encrypted and authenticated).',
        license: { name: "MIT", url: "https://opensource.org/license/mit" },
      },
      tags: TAGS.map((tag) => ({ ...tag })),
    });
    const { openapi, info, ...rest } = made;
    return { openapi, info, servers: [{ url: serverUrl }], ...rest };
  };
}

export type OpenApiDocument = ReturnType<ReturnType<typeof openApiDocumentOf>>;
