import { type EventFilter, entityKeys, eventEntryArticleIds } from "@eventwire/core";
import { listEvents } from "@eventwire/store";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { articleJson } from "../article-json";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { correctionJson, eventJson } from "../event-json";
import { themeModifiedAt } from "../feed-response";
import { jsonBody, redirectBody } from "../http-cache";
import { checkTimeRange, listingAnswer, searchParameter, themeParameter } from "../listing";
import { mergedJson, resolveEvent } from "../lookups";
import { answers, PUBLIC, pathParameters } from "../openapi/answers";
import { mountCachedRoute } from "../openapi/route";
import { EVENT_DETAIL, EVENT_MERGED, EVENT_PAGE, EVENTS_QUERY } from "../schemas/events";
import { HEX_ID_FORM, NO_QUERY } from "../schemas/parameters";

/** Articles shown with an event; the rest page through /api/v1/articles?event=. */
const EVENT_ARTICLES = 100;

const listEventsRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listEvents",
  tags: ["events"],
  summary: "A theme's events, the most recently active first",
  description:
    "Filters combine. Words, entity, `until` and `minSources` are applied while reading the theme's events in order, at most a set number per request: a page may then hold fewer than `limit` events, or none, and still have a `nextCursor`. Follow it until it is null to get every match exactly once.",
  security: PUBLIC,
  request: { query: EVENTS_QUERY },
  responses: answers({ ok: { description: "a page of events", schema: EVENT_PAGE }, errors: [400], cached: true }),
});

const getEventRoute = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getEvent",
  tags: ["events"],
  summary: "One event with its newest 100 articles and why each is there",
  security: PUBLIC,
  request: { params: pathParameters({ id: `event id (${HEX_ID_FORM})` }), query: NO_QUERY },
  responses: answers({
    ok: { description: "the event", schema: EVENT_DETAIL },
    moved: {
      description:
        "the event was merged into another by a maintenance pass: `Location` is this route for the event that answers for it now (the last of any chain of merges)",
      schema: EVENT_MERGED,
    },
    errors: [400, 404],
    cached: true,
  }),
});

/**
 * /api/v1/events: a theme's events, the most recently active first, filtered by words,
 * entity, time and corroboration; and one event with its articles and why each is there.
 */
export function eventRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  mountCachedRoute(app, deps, listEventsRoute, async (c) => {
    const query = c.req.valid("query");
    const theme = themeParameter(deps, query.theme ?? deps.config.themes[0]?.id);
    if (theme === undefined) throw new ApiError(404, "not_found", "this server follows no theme");
    checkTimeRange(query.since, query.until);
    const terms = searchParameter(query.q);
    const filter: EventFilter = {
      terms,
      entityKeys: query.entity === undefined ? null : entityKeys(query.entity, theme),
      minSources: query.minSources ?? 1,
      until: query.until ?? null,
    };
    return listingAnswer(c, deps, {
      name: "events",
      filters: {
        theme: theme.id,
        terms,
        entity: filter.entityKeys,
        since: query.since ?? null,
        until: filter.until,
        minSources: filter.minSources,
      },
      cursor: query.cursor,
      limit: query.limit,
      theme: theme.id,
      read: (page) => listEvents(deps.store.events, { themeId: theme.id, filter, activeSince: query.since ?? null }, page),
      json: eventJson,
    });
  });
  mountCachedRoute(app, deps, getEventRoute, async (c) => {
    const id = c.req.param("id");
    const resolved = await resolveEvent(deps, id);
    const base = baseUrl(c, deps);
    if (resolved.state === "merged") {
      const location = `${base}/api/v1/events/${resolved.successor}`;
      return redirectBody(deps, location, mergedJson(resolved, location), resolved.theme);
    }
    const { event, corrections } = resolved;
    const articles = await deps.store.articles.listByEvent(id, { limit: EVENT_ARTICLES });
    // Every change to an event comes with an article joining it: the latest one says when.
    const latestId = eventEntryArticleIds(event)[0];
    const latest =
      articles.items.find((article) => article.id === latestId) ??
      (await deps.store.articles.getSummaries(latestId === undefined ? [] : [latestId], { themeId: event.theme }))[0];
    return jsonBody(
      deps,
      {
        ...eventJson(event, base),
        mergedInto: null,
        corrections: corrections.map((correction) => correctionJson(correction, base)),
        articles: articles.items.map((article) => articleJson(article, base, { explain: true })),
        moreArticles: articles.nextKey === null ? null : `${base}/api/v1/articles?event=${id}`,
      },
      {
        lastModified: await themeModifiedAt(deps, event.theme, latest === undefined ? [] : [latest.fetchedAt]),
        theme: event.theme,
      },
    );
  });
  return app;
}
