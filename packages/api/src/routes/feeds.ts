import {
  articleFeedEntry,
  describeEvent,
  eventEntryArticleIds,
  eventFeedEntry,
  FEED_CONTENT_TYPES,
  FEED_FORMATS,
  type FeedFormat,
  type FeedUrls,
} from "@eventwire/core";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, Env } from "hono";
import { baseUrl, withQuery } from "../base-url";
import type { ApiDeps } from "../deps";
import {
  type FeedFile,
  feedBody,
  feedVariant,
  pageLinks,
  parseFeedFile,
  readFeedCursor,
  themeEventsPage,
  themeModifiedAt,
} from "../feed-response";
import { type CachedBody, cachedGet, redirectBody } from "../http-cache";
import { mergedJson, notFound, resolveEvent, themeNamed } from "../lookups";
import { answers, PUBLIC } from "../openapi/answers";
import { documentRoute } from "../openapi/route";
import { EVENT_MERGED } from "../schemas/events";
import { HEX_ID_FORM, integerParameter } from "../schemas/parameters";
import { parseQuery } from "../validate";

// Unknown parameters are ignored: a feed reader may add its own.
const FEED_QUERY = z.object({
  cursor: z.string().min(1).max(2048).optional().meta({
    description: "a `next`, `previous` or `first` link's cursor (RFC 5005): opaque (encrypted), valid only for this feed",
  }),
});
const EVENTS_FEED_QUERY = FEED_QUERY.extend({
  minSources: integerParameter(1, 1000)
    .optional()
    .meta({ description: "only events reported by at least this many distinct sources (1–1000)" }),
});

const FORMAT = z
  .enum([...FEED_FORMATS, "xml"])
  .meta({ description: `${FEED_FORMATS.join(", ")}, or xml (RSS or Atom by the Accept header)` });
const THEME = z.string().meta({ description: "theme id" });

/** A feed in each of its formats: RSS 2.0 and Atom 1.0 (XML), and JSON Feed 1.1. */
const FEED_CONTENT = Object.fromEntries(
  FEED_FORMATS.map((format) => [
    FEED_CONTENT_TYPES[format].split(";")[0] as string,
    format === "json" ? z.record(z.string(), z.unknown()).meta({ description: "JSON Feed 1.1" }) : z.string(),
  ]),
);

const themeFeedRoute = createRoute({
  method: "get",
  path: "/{theme}.{format}",
  operationId: "getThemeFeed",
  tags: ["feeds"],
  summary: "A theme's newest on-theme articles as a feed",
  security: PUBLIC,
  request: { params: z.object({ theme: THEME, format: FORMAT }), query: FEED_QUERY },
  responses: answers({ ok: { description: "the feed", content: FEED_CONTENT }, errors: [400, 404], cached: true }),
});

const themeEventsFeedRoute = createRoute({
  method: "get",
  path: "/{theme}/events.{format}",
  operationId: "getThemeEventsFeed",
  tags: ["feeds"],
  summary: "A theme's events as a feed, one item per event",
  security: PUBLIC,
  request: { params: z.object({ theme: THEME, format: FORMAT }), query: EVENTS_FEED_QUERY },
  responses: answers({ ok: { description: "the feed", content: FEED_CONTENT }, errors: [400, 404], cached: true }),
});

const eventFeedRoute = createRoute({
  method: "get",
  path: "/events/{id}.{format}",
  operationId: "getEventFeed",
  tags: ["feeds"],
  summary: "One event's articles as a feed",
  security: PUBLIC,
  request: {
    params: z.object({ id: z.string().meta({ description: `event id (${HEX_ID_FORM})` }), format: FORMAT }),
    query: FEED_QUERY,
  },
  responses: answers({
    ok: { description: "the feed", content: FEED_CONTENT },
    moved: {
      description: "the event was merged into another: `Location` is that event's feed in the same format (without a cursor)",
      schema: EVENT_MERGED,
    },
    errors: [400, 404],
    cached: true,
  }),
});

function feedFile(c: Context, file: string, shape: string): FeedFile {
  const parsed = parseFeedFile(file, c.req.header("accept"));
  if (parsed === null) throw notFound(`no feed at ${new URL(c.req.url).pathname}: feeds are ${shape}`);
  return parsed;
}

function feedUrls(base: string, format: FeedFormat): FeedUrls {
  return {
    eventPage: (id) => `${base}/events/${id}`,
    eventFeed: (id) => `${base}/feeds/events/${id}.${format}`,
    eventApi: (id) => `${base}/api/v1/events/${id}`,
    articleApi: (id) => `${base}/api/v1/articles/${id}`,
    sourceApi: (id) => `${base}/api/v1/sources/${encodeURIComponent(id)}`,
  };
}

/**
 * /feeds: a theme's newest articles (`/feeds/{theme}.rss`), its events (`/feeds/{theme}/events.rss`)
 * and one event's articles (`/feeds/events/{id}.rss`), each as .rss, .atom, .json or .xml, paged
 * with sealed (encrypted) cursors.
 */
export function feedRoutes(deps: ApiDeps) {
  const limit = deps.config.feedLimit;

  async function eventFeed(c: Context<Env, "/events/:file">): Promise<CachedBody> {
    const file = feedFile(c, c.req.param("file"), "/feeds/events/{eventId}.rss, .atom, .json or .xml");
    const resolved = await resolveEvent(deps, file.name);
    if (resolved.state === "merged") {
      // The successor's feed, in the format asked for; a cursor belongs to the old feed and is dropped.
      const location = `${baseUrl(c, deps)}/feeds/events/${resolved.successor}.${file.negotiated ? "xml" : file.format}`;
      return redirectBody(deps, location, mergedJson(resolved, location), resolved.theme);
    }
    const { event } = resolved;
    const theme = themeNamed(deps, event.theme);
    // Read after the event is found: a merged-away event's cursor is dropped unread.
    const query = parseQuery(c, eventFeedRoute.request.query);
    const scope = `feed:event:${event.id}`;
    const position = readFeedCursor(deps, scope, query.cursor);
    const page = await deps.store.articles.pageByEvent(event.id, { limit, position });
    // The event's latest member changed it last, wherever its date puts it in the listing.
    const latest = await deps.store.articles.getSummaries(eventEntryArticleIds(event).slice(0, 1), { themeId: event.theme });
    const base = baseUrl(c, deps);
    const urls = feedUrls(base, file.format);
    const eventTitles = new Map([[event.id, event.title]]);
    return feedBody(
      deps,
      file,
      {
        id: `urn:eventwire:feed:event:${event.id}`,
        title: `${event.title} — eventwire`,
        description: describeEvent(event),
        language: theme.language,
        homeUrl: urls.eventPage(event.id),
        ...pageLinks(deps, scope, file.format, query.cursor, page, (format, cursor) =>
          withQuery(`${base}/feeds/events/${event.id}.${format}`, { cursor }),
        ),
        updatedAt: await themeModifiedAt(
          deps,
          event.theme,
          [...page.items, ...latest].map((article) => article.fetchedAt),
        ),
        entries: page.items.map((article) => articleFeedEntry(article, { theme, urls, eventTitles })),
      },
      theme.id,
    );
  }

  async function themeEventsFeed(c: Context<Env, "/:theme/:file">): Promise<CachedBody> {
    const file = feedFile(c, c.req.param("file"), "/feeds/{theme}/events.rss, .atom, .json or .xml");
    if (file.name !== "events") throw notFound(`no feed at ${new URL(c.req.url).pathname}: did you mean events.${file.format}?`);
    const theme = themeNamed(deps, c.req.param("theme"));
    const query = parseQuery(c, themeEventsFeedRoute.request.query);
    const minSources = query.minSources ?? 1;
    const { scope, page, articles } = await themeEventsPage(deps, "feed", theme.id, minSources, query.cursor);
    const byId = new Map(articles.map((article) => [article.id, article]));
    const base = baseUrl(c, deps);
    const urls = feedUrls(base, file.format);
    const filter = query.minSources === undefined ? {} : { minSources };
    return feedBody(
      deps,
      file,
      {
        id: `urn:eventwire:feed:${theme.id}:events${minSources > 1 ? `:min-sources-${minSources}` : ""}`,
        title: `${theme.title}: events — eventwire`,
        description:
          minSources > 1 ? `${theme.description} Events reported by at least ${minSources} distinct sources.` : theme.description,
        language: theme.language,
        homeUrl: `${base}/`,
        ...pageLinks(deps, scope, file.format, query.cursor, page, (format, cursor) =>
          withQuery(`${base}/feeds/${theme.id}/events.${format}`, { ...filter, cursor }),
        ),
        updatedAt: await themeModifiedAt(
          deps,
          theme.id,
          articles.map((article) => article.fetchedAt),
        ),
        entries: page.items.map((event) =>
          eventFeedEntry(
            event,
            eventEntryArticleIds(event).flatMap((id) => byId.get(id) ?? []),
            theme,
            urls,
          ),
        ),
      },
      theme.id,
    );
  }

  async function themeFeed(c: Context<Env, "/:file">): Promise<CachedBody> {
    const file = feedFile(c, c.req.param("file"), "/feeds/{theme}.rss, .atom, .json or .xml");
    const theme = themeNamed(deps, file.name);
    const query = parseQuery(c, themeFeedRoute.request.query);
    const scope = `feed:theme:${theme.id}`;
    const position = readFeedCursor(deps, scope, query.cursor);
    const page = await deps.store.articles.pageByTheme(theme.id, { limit, position });
    const eventTitles = await deps.store.events.titles(page.items.flatMap((article) => article.eventId ?? []));
    const base = baseUrl(c, deps);
    const urls = feedUrls(base, file.format);
    return feedBody(
      deps,
      file,
      {
        id: `urn:eventwire:feed:${theme.id}`,
        title: `${theme.title} — eventwire`,
        description: theme.description,
        language: theme.language,
        homeUrl: `${base}/`,
        ...pageLinks(deps, scope, file.format, query.cursor, page, (format, cursor) =>
          withQuery(`${base}/feeds/${theme.id}.${format}`, { cursor }),
        ),
        updatedAt: await themeModifiedAt(
          deps,
          theme.id,
          page.items.map((article) => article.fetchedAt),
        ),
        entries: page.items.map((article) => articleFeedEntry(article, { theme, urls, eventTitles })),
      },
      theme.id,
    );
  }

  // Hono's router matches no two parameters in one segment (`{theme}.{format}`): the feeds are
  // served on the whole file name, and each handler validates its query (after the lookups that
  // come first: an unknown theme is a 404 whatever the query) with its route's schema.
  const app = new OpenAPIHono();
  documentRoute(app, themeFeedRoute);
  documentRoute(app, themeEventsFeedRoute);
  documentRoute(app, eventFeedRoute);
  return app
    .get("/events/:file", cachedGet(deps, eventFeed, feedVariant))
    .get("/:theme/:file", cachedGet(deps, themeEventsFeed, feedVariant))
    .get("/:file", cachedGet(deps, themeFeed, feedVariant));
}
