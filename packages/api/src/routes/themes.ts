import { mapFeedFormats } from "@eventwire/core";
import { Hono } from "hono";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { sendJson } from "../http-cache";
import { NO_QUERY } from "../schemas/parameters";
import { parseQuery } from "../validate";

/** GET /api/v1/themes: the themes this server follows, with their listings and feeds. */
export function themeRoutes(deps: ApiDeps) {
  return new Hono().get("/", (c) => {
    parseQuery(c, NO_QUERY);
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
}
