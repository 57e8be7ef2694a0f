import { type ArticleSummary, DEFAULT_THEME_ID, type EventState, eventLead } from "@eventwire/core";
import type { PagePosition } from "@eventwire/store";
import { Hono } from "hono";
import { etag } from "hono/etag";
import type { RequestIdVariables } from "hono/request-id";
import * as z from "zod";
import { baseUrl, withQuery } from "../base-url";
import type { CursorKey } from "../cursor";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { encodePosition, readFeedCursor, themeEventsPage } from "../feed-response";
import { mergedJson, resolveEvent, themeNamed } from "../lookups";
import { sendPage, wantsJson } from "../page-response";
import { ErrorPage } from "../pages/error-page";
import { EventPage } from "../pages/event-page";
import { HomePage } from "../pages/home-page";
import { MovedPage } from "../pages/moved-page";
import { integerParameter } from "../schemas/parameters";
import { parseQuery } from "../validate";

// Pages take what a browser's links and forms send; other parameters (a tracking tag) are ignored.
const CURSOR = z.string().min(1).max(2048).optional();
const HOME_QUERY = z.object({
  theme: z.string().min(1).max(64).optional(),
  // An emptied form field means no filter.
  minSources: z.preprocess((value) => (value === "" ? undefined : value), integerParameter(1, 1000).optional()),
  cursor: CURSOR,
});
const EVENT_QUERY = z.object({ cursor: CURSOR });

/** Names of sources by id: the feeds' own titles, else the name an article carried. */
async function sourceNames(deps: ApiDeps, articles: readonly ArticleSummary[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const article of articles) if (article.sourceTitle !== null) names.set(article.sourceId, article.sourceTitle);
  for (const source of await deps.store.sources.list()) if (source.title !== null) names.set(source.id, source.title);
  return names;
}

/** An event's lead line from its central article, among `articles`; null if it is not there or says no more than the title. */
function leadOf(event: EventState, articles: readonly ArticleSummary[]): string | null {
  const central = articles.find((article) => article.id === event.centralArticleId);
  return central === undefined ? null : eventLead(central.summary, [event.title, central.title]);
}

/** The lead lines of some events by event id, for those that have one. */
function leadsOf(events: readonly EventState[], articles: readonly ArticleSummary[]): Map<string, string> {
  const leads = new Map<string, string>();
  for (const event of events) {
    const lead = leadOf(event, articles);
    if (lead !== null) leads.set(event.id, lead);
  }
  return leads;
}

/** The page links either side of a two-way page, as URLs carrying sealed cursors. */
function neighbours(
  deps: ApiDeps,
  scope: string,
  page: { newerKey: CursorKey | null; olderKey: CursorKey | null },
  url: (cursor: string) => string,
): { newerUrl: string | null; olderUrl: string | null } {
  const at = (direction: PagePosition["direction"], key: CursorKey | null) =>
    key === null ? null : url(encodePosition(deps, scope, direction, key));
  return { newerUrl: at("newer", page.newerKey), olderUrl: at("older", page.olderKey) };
}

/**
 * The pages for people: `GET /` (a theme's latest events; the JSON index for clients that ask
 * for JSON) and `GET /events/{id}` (one event's articles). Failures are an error page for
 * browsers and the JSON error body for JSON clients.
 */
export function pageRoutes(deps: ApiDeps) {
  const limit = deps.config.feedLimit;
  const conditional = etag({ retainedHeaders: ["cache-control", "etag", "vary", "content-security-policy"] });
  const app = new Hono<{ Variables: RequestIdVariables }>();
  // Mounted at the root: middleware names its paths, so it never touches the API or the feeds.
  app.use("/", conditional);
  app.use("/events/*", conditional);

  app.get("/", async (c, next) => {
    if (wantsJson(c)) {
      // The JSON index answers; it varies with Accept like the page.
      c.header("Vary", "Accept");
      return next();
    }
    const query = parseQuery(c, HOME_QUERY);
    const theme = themeNamed(deps, query.theme ?? deps.config.themes[0]?.id ?? DEFAULT_THEME_ID);
    const minSources = query.minSources ?? 1;
    const { scope, page, articles: latest } = await themeEventsPage(deps, "page", theme.id, minSources, query.cursor);
    const base = baseUrl(c, deps);
    const filter = query.minSources === undefined ? null : minSources;
    const themeParam = query.theme === undefined ? null : theme.id;
    return sendPage(
      c,
      deps,
      <HomePage
        base={base}
        theme={theme}
        themes={deps.config.themes}
        events={page.items}
        sourceNames={await sourceNames(deps, latest)}
        leads={leadsOf(page.items, latest)}
        minSources={filter}
        {...neighbours(deps, scope, page, (cursor) => withQuery(`${base}/`, { theme: themeParam, minSources: filter, cursor }))}
      />,
    );
  });

  app.get("/events/:id", async (c) => {
    const resolved = await resolveEvent(deps, c.req.param("id"));
    const base = baseUrl(c, deps);
    if (resolved.state === "merged") {
      const location = `${base}/events/${resolved.successor}`;
      const headers = { Location: location, Vary: "Accept" };
      if (!wantsJson(c))
        return sendPage(c, deps, <MovedPage base={base} title={resolved.title} location={location} />, 301, headers);
      const cacheControl = `public, max-age=${deps.config.cacheMaxAgeSeconds}`;
      return c.json(mergedJson(resolved, location), 301, { ...headers, "Cache-Control": cacheControl });
    }
    const { event, corrections } = resolved;
    const theme = themeNamed(deps, event.theme);
    const query = parseQuery(c, EVENT_QUERY);
    const scope = `page:event:${event.id}`;
    const position = readFeedCursor(deps, scope, query.cursor);
    const page = await deps.store.articles.pageByEvent(event.id, { limit, position });
    // The central article is often on the first page; else one more read.
    const central = page.items.some((article) => article.id === event.centralArticleId)
      ? page.items
      : await deps.store.articles.getSummaries([event.centralArticleId], { themeId: event.theme });
    return sendPage(
      c,
      deps,
      <EventPage
        base={base}
        theme={theme}
        event={event}
        lead={leadOf(event, central)}
        corrections={corrections}
        otherTitles={await deps.store.events.titles(corrections.map((correction) => correction.other))}
        articles={page.items}
        sourceNames={await sourceNames(deps, page.items)}
        {...neighbours(deps, scope, page, (cursor) => withQuery(`${base}/events/${event.id}`, { cursor }))}
      />,
    );
  });

  // Browsers get an error page; JSON clients, and every unexpected failure, go on to the app's
  // handler and its JSON error body.
  app.onError((error, c) => {
    if (!(error instanceof ApiError) || wantsJson(c)) throw error;
    const page = (
      <ErrorPage base={baseUrl(c, deps)} status={error.status} message={error.message} requestId={c.get("requestId") ?? null} />
    );
    return sendPage(c, deps, page, error.status);
  });
  return app;
}
