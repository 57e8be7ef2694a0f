import { type EventFilter, entityKeys, eventEntryArticleIds, eventMatchesFilter } from "@eventwire/core";
import { Hono } from "hono";
import { articleJson } from "../article-json";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { correctionJson, eventJson } from "../event-json";
import { themeModifiedAt } from "../feed-response";
import { cachedGet, jsonBody, redirectBody } from "../http-cache";
import { checkTimeRange, listingCursors, searchParameter, themeParameter } from "../listing";
import { mergedJson, resolveEvent } from "../lookups";
import { EVENTS_QUERY } from "../schemas/events";
import { NO_QUERY } from "../schemas/parameters";
import { parseQuery } from "../validate";

/** Articles shown with an event; the rest page through /api/v1/articles?event=. */
const EVENT_ARTICLES = 100;

/**
 * /api/v1/events: a theme's events, the most recently active first, filtered by words,
 * entity, time and corroboration; and one event with its articles and why each is there.
 */
export function eventRoutes(deps: ApiDeps) {
  return new Hono()
    .get(
      "/",
      cachedGet(deps, async (c) => {
        const query = parseQuery(c, EVENTS_QUERY);
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
        const filtered = terms.length > 0 || filter.entityKeys !== null || filter.minSources > 1 || filter.until !== null;
        const cursors = listingCursors(deps, "events", {
          theme: theme.id,
          terms,
          entity: filter.entityKeys,
          since: query.since ?? null,
          until: filter.until,
          minSources: filter.minSources,
        });
        const page = await deps.store.events.filterByTheme(theme.id, query.since ?? null, {
          limit: query.limit,
          after: cursors.read(query.cursor),
          maxRead: deps.config.filterReadLimit,
          accept: filtered ? (event) => eventMatchesFilter(event, filter) : null,
        });
        const base = baseUrl(c, deps);
        return jsonBody(
          deps,
          { items: page.items.map((event) => eventJson(event, base)), nextCursor: cursors.next(page.nextKey) },
          { theme: theme.id },
        );
      }),
    )
    .get(
      "/:id",
      cachedGet<"/:id">(deps, async (c) => {
        parseQuery(c, NO_QUERY);
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
          (await deps.store.articles.getSummaries(latestId === undefined ? [] : [latestId]))[0];
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
      }),
    );
}
