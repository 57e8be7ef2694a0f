import { ARTICLE, ARTICLE_PAGE, ARTICLES_QUERY } from "../schemas/articles";
import { NO_QUERY } from "../schemas/parameters";
import { HEX_ID, type Operation } from "./operation";

export const ARTICLE_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/v1/articles",
    tag: "articles",
    summary: "Stored articles, newest first",
    description:
      "Filters combine. `event`, `source`, or `theme` with `onTheme` pick an index; the other filters and `q` are applied while reading it, at most a set number of articles per request: a page may then hold fewer than `limit` articles, or none, and still have a `nextCursor`. Follow it until it is null to get every match exactly once.",
    query: ARTICLES_QUERY,
    ok: { status: 200, description: "a page of articles (without full text)", schema: ARTICLE_PAGE },
    errors: [400],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/articles/{id}",
    tag: "articles",
    summary: "One article with its full text and the matcher's explanation",
    pathParameters: { id: `article id (${HEX_ID})` },
    query: NO_QUERY,
    ok: { status: 200, description: "the article", schema: ARTICLE },
    errors: [400, 404],
    cached: true,
  },
];
