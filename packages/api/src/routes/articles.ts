import { Hono } from "hono";
import { z } from "zod";
import { articleJson } from "../article-json";
import { decodeCursor, encodeCursor } from "../cursor";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { parseQuery } from "../validate";

const LIST_QUERY = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

const ARTICLE_ID = /^[0-9a-f]{32}$/;

/** /api/v1/articles: every stored article, newest first, with opaque cursors. */
export function articleRoutes(deps: ApiDeps) {
  return new Hono()
    .get("/", async (c) => {
      const query = parseQuery(c, LIST_QUERY);
      const after = query.cursor === undefined ? null : decodeCursor(deps.config.cursorSecret, "articles", query.cursor);
      const page = await deps.store.articles.listNewest({ limit: query.limit, after });
      c.header("Cache-Control", `public, max-age=${deps.config.cacheMaxAgeSeconds}`);
      return c.json({
        items: page.items.map((article) => articleJson(article)),
        nextCursor: page.nextKey === null ? null : encodeCursor(deps.config.cursorSecret, "articles", page.nextKey),
      });
    })
    .get("/:id", async (c) => {
      const id = c.req.param("id");
      if (!ARTICLE_ID.test(id)) throw new ApiError(404, "not_found", `no article has the id "${id}"`);
      const article = await deps.store.articles.get(id);
      if (article === null) throw new ApiError(404, "not_found", `no article has the id "${id}"`);
      c.header("Cache-Control", `public, max-age=${deps.config.cacheMaxAgeSeconds}`);
      return c.json(articleJson(article));
    });
}
