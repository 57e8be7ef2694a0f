import { themeJsonSchema } from "@eventwire/core";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { sendCached } from "../http-cache";
import { answers, PUBLIC } from "../openapi/answers";
import { mountRoute } from "../openapi/route";

/** The media type of a JSON Schema document (draft 2020-12, §9.5.1). */
const SCHEMA_MEDIA_TYPE = "application/schema+json";

// The schema changes only with a new version of the server.
const SCHEMA_CACHE = "public, max-age=3600";

const themeSchemaRoute = createRoute({
  method: "get",
  path: "/theme.json",
  operationId: "getThemeSchema",
  tags: ["themes"],
  summary: "The JSON Schema of a theme file (draft 2020-12), for editors and validators",
  description:
    'A theme file may name it in its `"$schema"` key; `eventwire themes check FILE` applies the same rules, and a few that a JSON Schema cannot say (`followUpThreshold` at most `threshold`, entity ids unique, terms that are not stop words only).',
  security: PUBLIC,
  responses: answers({
    ok: { description: "JSON Schema", content: { [SCHEMA_MEDIA_TYPE]: z.record(z.string(), z.unknown()) } },
    errors: [],
    cached: true,
  }),
});

/** GET /schemas/theme.json: the theme file's JSON Schema, generated from the schema themes are validated with. */
export function schemaRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  // Made once: it depends on nothing but the code.
  const { $schema, ...schema } = themeJsonSchema();
  mountRoute(app, themeSchemaRoute, (c) =>
    sendCached(c, deps, {
      body: JSON.stringify({ $schema, $id: `${baseUrl(c, deps)}/schemas/theme.json`, title: "eventwire theme", ...schema }),
      contentType: SCHEMA_MEDIA_TYPE,
      cacheControl: SCHEMA_CACHE,
      lastModified: null,
    }),
  );
  return app;
}
