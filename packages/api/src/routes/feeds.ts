import {
  articleFeedEntry,
  describeEvent,
  eventEntryArticleIds,
  eventFeedEntry,
  type FeedFormat,
  type FeedUrls,
} from "@eventwire/core";
import { type Context, type Env, Hono } from "hono";
import * as z from "zod";
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
import { integerParameter } from "../schemas/parameters";
import { parseQuery } from "../validate";

export const FEED_QUERY = z.object({ cursor: z.string().min(1).max(2048).optional() });
export const EVENTS_QUERY = FEED_QUERY.extend({ minSources: integerParameter(1, 1000).optional() });

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
    const query = parseQuery(c, FEED_QUERY);
    const scope = `feed:event:${event.id}`;
    const position = readFeedCursor(deps, scope, query.cursor);
    const page = await deps.store.articles.pageByEvent(event.id, { limit, position });
    // The event's latest member changed it last, wherever its date puts it in the listing.
    const latest = await deps.store.articles.getSummaries(eventEntryArticleIds(event).slice(0, 1));
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
    const query = parseQuery(c, EVENTS_QUERY);
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
    const query = parseQuery(c, FEED_QUERY);
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

  return new Hono()
    .get("/events/:file", cachedGet(deps, eventFeed, feedVariant))
    .get("/:theme/:file", cachedGet(deps, themeEventsFeed, feedVariant))
    .get("/:file", cachedGet(deps, themeFeed, feedVariant));
}
