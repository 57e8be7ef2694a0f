import { findTheme } from "@eventwire/core";
import { Hono } from "hono";
import { z } from "zod";
import { articleJson } from "../article-json";
import { baseUrl } from "../base-url";
import { decodeCursor, encodeCursor } from "../cursor";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { eventJson } from "../event-json";
import { parseQuery } from "../validate";

const LIST_QUERY = z.strictObject({
  theme: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

const EVENT_ID = /^[0-9a-f]{32}$/;
/** Articles shown with an event; the rest page through /api/v1/articles?event=. */
const EVENT_ARTICLES = 100;

/** /api/v1/events: a theme's events, the most recently active first, and one event with its articles. */
export function eventRoutes(deps: ApiDeps) {
  return new Hono()
    .get("/", async (c) => {
      const query = parseQuery(c, LIST_QUERY);
      const themeId = query.theme ?? deps.config.themes[0]?.id ?? "";
      if (findTheme(deps.config.themes, themeId) === undefined) {
        throw new ApiError(400, "invalid_parameter", `query parameter "theme": no theme "${themeId}"`);
      }
      const scope = `events:${themeId}`;
      const after = query.cursor === undefined ? null : decodeCursor(deps.config.cursorSecret, scope, query.cursor);
      const page = await deps.store.events.listByTheme(themeId, { limit: query.limit, after });
      const base = baseUrl(c, deps);
      c.header("Cache-Control", `public, max-age=${deps.config.cacheMaxAgeSeconds}`);
      return c.json({
        items: page.items.map((event) => eventJson(event, base)),
        nextCursor: page.nextKey === null ? null : encodeCursor(deps.config.cursorSecret, scope, page.nextKey),
      });
    })
    .get("/:id", async (c) => {
      const id = c.req.param("id");
      const event = EVENT_ID.test(id) ? await deps.store.events.get(id) : null;
      if (event === null) throw new ApiError(404, "not_found", `no event has the id "${id}"`);
      const articles = await deps.store.articles.listByEvent(id, { limit: EVENT_ARTICLES });
      const base = baseUrl(c, deps);
      c.header("Cache-Control", `public, max-age=${deps.config.cacheMaxAgeSeconds}`);
      return c.json({
        ...eventJson(event, base),
        articles: articles.items.map((article) => articleJson(article, base, { explain: true })),
        moreArticles: articles.nextKey === null ? null : `${base}/api/v1/articles?event=${id}`,
      });
    });
}
