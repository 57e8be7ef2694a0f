import { Hono } from "hono";
import { z } from "zod";
import { articleJson } from "../article-json";
import { baseUrl } from "../base-url";
import { decodeCursor, encodeCursor } from "../cursor";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { parseQuery } from "../validate";

const LIST_QUERY = z.strictObject({
  event: z
    .string()
    .regex(/^[0-9a-f]{32}$/, "an event id (32 hex digits)")
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

const ARTICLE_ID = /^[0-9a-f]{32}$/;

/** /api/v1/articles: every stored article, newest first, with opaque cursors. */
export function articleRoutes(deps: ApiDeps) {
  return new Hono()
    .get("/", async (c) => {
      const query = parseQuery(c, LIST_QUERY);
      // A cursor is bound to its listing: one from an event's articles does not page all articles.
      const scope = query.event === undefined ? "articles" : `articles:event:${query.event}`;
      const after = query.cursor === undefined ? null : decodeCursor(deps.config.cursorSecret, scope, query.cursor);
      const request = { limit: query.limit, after };
      const page =
        query.event === undefined
          ? await deps.store.articles.listNewest(request)
          : await deps.store.articles.listByEvent(query.event, request);
      const base = baseUrl(c, deps);
      c.header("Cache-Control", `public, max-age=${deps.config.cacheMaxAgeSeconds}`);
      return c.json({
        items: page.items.map((article) => articleJson(article, base)),
        nextCursor: page.nextKey === null ? null : encodeCursor(deps.config.cursorSecret, scope, page.nextKey),
      });
    })
    .get("/:id", async (c) => {
      const id = c.req.param("id");
      if (!ARTICLE_ID.test(id)) throw new ApiError(404, "not_found", `no article has the id "${id}"`);
      const article = await deps.store.articles.get(id);
      if (article === null) throw new ApiError(404, "not_found", `no article has the id "${id}"`);
      c.header("Cache-Control", `public, max-age=${deps.config.cacheMaxAgeSeconds}`);
      return c.json(articleJson(article, baseUrl(c, deps), { explain: true }));
    });
}
