import type { ArticleFilter } from "@eventwire/core";
import { listArticles } from "@eventwire/store";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { articleJson, themesJson } from "../article-json";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { jsonBody } from "../http-cache";
import { checkTimeRange, listingAnswer, searchParameter, themeParameter } from "../listing";
import { answers, PUBLIC, pathParameters } from "../openapi/answers";
import { mountCachedRoute } from "../openapi/route";
import { ARTICLE, ARTICLE_PAGE, ARTICLES_QUERY } from "../schemas/articles";
import { HEX_ID, HEX_ID_FORM, NO_QUERY } from "../schemas/parameters";

const listArticlesRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listArticles",
  tags: ["articles"],
  summary: "Stored articles, newest first",
  description:
    "Filters combine. `event`, `source`, or `theme` with `onTheme` pick an index; the other filters and `q` are applied while reading it, at most a set number of articles per request: a page may then hold fewer than `limit` articles, or none, and still have a `nextCursor`. Follow it until it is null to get every match exactly once. With `q`, the stretches of time whose search digests lack one of the words are skipped, so a search for an old story reaches it in a few pages.",
  security: PUBLIC,
  request: { query: ARTICLES_QUERY },
  responses: answers({
    ok: { description: "a page of articles (without full text)", schema: ARTICLE_PAGE },
    errors: [400],
    cached: true,
  }),
});

const getArticleRoute = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getArticle",
  tags: ["articles"],
  summary: "One article with its full text and the matcher's explanation",
  security: PUBLIC,
  request: { params: pathParameters({ id: `article id (${HEX_ID_FORM})` }), query: NO_QUERY },
  responses: answers({ ok: { description: "the article", schema: ARTICLE }, errors: [400, 404], cached: true }),
});

/** /api/v1/articles: stored articles, newest first, filtered; and one article with its text. */
export function articleRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  mountCachedRoute(app, deps, listArticlesRoute, async (c) => {
    const query = c.req.valid("query");
    checkTimeRange(query.since, query.until);
    const filter: ArticleFilter = {
      terms: searchParameter(query.q),
      theme: themeParameter(deps, query.theme)?.id ?? null,
      eventId: query.event ?? null,
      sourceId: query.source ?? null,
      onTheme: query.onTheme ?? null,
    };
    const since = query.since ?? null;
    const until = query.until ?? null;
    return listingAnswer(c, deps, {
      name: "articles",
      filters: { ...filter, since, until },
      cursor: query.cursor,
      limit: query.limit,
      theme: filter.theme,
      read: (page) => listArticles(deps.store.articles, { filter, since, until }, page),
      json: (article, base) => articleJson(article, base),
    });
  });
  mountCachedRoute(app, deps, getArticleRoute, async (c) => {
    const id = c.req.param("id");
    const found = HEX_ID.test(id) ? await deps.store.articles.getJudged(id) : null;
    if (found === null) throw new ApiError(404, "not_found", `no article has the id "${id}"`);
    const { article, judgements } = found;
    const base = baseUrl(c, deps);
    const json = { ...articleJson(article, base, { explain: true }), themes: themesJson(judgements, base) };
    // Any theme's write may add its judgement to the article, so any theme's change makes this stale.
    return jsonBody(deps, json, { theme: null });
  });
  return app;
}
