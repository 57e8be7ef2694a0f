import { mapFeedFormats } from "@eventwire/core";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { sendJson } from "../http-cache";
import { answers, PUBLIC } from "../openapi/answers";
import { mountRoute } from "../openapi/route";
import { NO_QUERY } from "../schemas/parameters";
import { THEME_LIST } from "../schemas/themes";

const listThemesRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listThemes",
  tags: ["themes"],
  summary: "The themes this server follows",
  security: PUBLIC,
  request: { query: NO_QUERY },
  responses: answers({ ok: { description: "every theme", schema: THEME_LIST }, errors: [400], cached: true }),
});

/** GET /api/v1/themes: the themes this server follows, with their listings and feeds. */
export function themeRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  mountRoute(app, listThemesRoute, (c) => {
    const base = baseUrl(c, deps);
    return sendJson(c, deps, {
      items: deps.config.themes.map((theme) => ({
        id: theme.id,
        title: theme.title,
        description: theme.description,
        language: theme.language,
        events: `${base}/api/v1/events?theme=${theme.id}`,
        feeds: mapFeedFormats((format) => `${base}/feeds/${theme.id}.${format}`),
      })),
    });
  });
  return app;
}
