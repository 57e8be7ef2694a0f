import { type ArticleFilter, articleMatchesFilter } from "@eventwire/core";
import { type ArticlePartition, publishedRange } from "@eventwire/store";
import { Hono } from "hono";
import { articleJson } from "../article-json";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { cachedGet, jsonBody } from "../http-cache";
import { checkTimeRange, listingCursors, searchParameter, themeParameter } from "../listing";
import { ARTICLES_QUERY } from "../schemas/articles";
import { NO_QUERY } from "../schemas/parameters";
import { parseQuery } from "../validate";

const ARTICLE_ID = /^[0-9a-f]{32}$/;

/** The index partition that serves the most selective filter; the others are applied to what it reads. */
function partitionFor(filter: ArticleFilter): ArticlePartition {
  if (filter.eventId !== null) return { kind: "event", eventId: filter.eventId };
  if (filter.sourceId !== null) return { kind: "source", sourceId: filter.sourceId };
  if (filter.theme !== null && filter.onTheme !== null) return { kind: "theme", themeId: filter.theme, onTheme: filter.onTheme };
  return { kind: "all" };
}

/** Whether the partition alone already gives exactly the filter's articles. */
function servedByPartition(filter: ArticleFilter, where: ArticlePartition): boolean {
  const given = (value: unknown) => value !== null;
  switch (where.kind) {
    case "all":
      return !given(filter.theme) && !given(filter.onTheme) && !given(filter.sourceId) && !given(filter.eventId);
    case "theme":
      return !given(filter.sourceId) && !given(filter.eventId);
    case "source":
      return !given(filter.theme) && !given(filter.onTheme) && !given(filter.eventId);
    case "event":
      return !given(filter.theme) && !given(filter.onTheme) && !given(filter.sourceId);
  }
}

/** /api/v1/articles: stored articles, newest first, filtered; and one article with its text. */
export function articleRoutes(deps: ApiDeps) {
  return new Hono()
    .get(
      "/",
      cachedGet(deps, async (c) => {
        const query = parseQuery(c, ARTICLES_QUERY);
        checkTimeRange(query.since, query.until);
        const filter: ArticleFilter = {
          terms: searchParameter(query.q),
          theme: themeParameter(deps, query.theme)?.id ?? null,
          eventId: query.event ?? null,
          sourceId: query.source ?? null,
          onTheme: query.onTheme ?? null,
        };
        const where = partitionFor(filter);
        const filtered = filter.terms.length > 0 || !servedByPartition(filter, where);
        const since = query.since ?? null;
        const until = query.until ?? null;
        const cursors = listingCursors(deps, "articles", { ...filter, since, until });
        const page = await deps.store.articles.filterPage(where, publishedRange(since, until), {
          limit: query.limit,
          after: cursors.read(query.cursor),
          maxRead: deps.config.filterReadLimit,
          accept: filtered ? (article) => articleMatchesFilter(article, filter) : null,
        });
        const base = baseUrl(c, deps);
        return jsonBody(
          deps,
          { items: page.items.map((article) => articleJson(article, base)), nextCursor: cursors.next(page.nextKey) },
          { theme: filter.theme },
        );
      }),
    )
    .get(
      "/:id",
      cachedGet<"/:id">(deps, async (c) => {
        parseQuery(c, NO_QUERY);
        const id = c.req.param("id");
        const article = ARTICLE_ID.test(id) ? await deps.store.articles.get(id) : null;
        if (article === null) throw new ApiError(404, "not_found", `no article has the id "${id}"`);
        return jsonBody(deps, articleJson(article, baseUrl(c, deps), { explain: true }), { theme: article.theme });
      }),
    );
}
