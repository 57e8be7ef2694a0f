import { createHash } from "node:crypto";
import {
  type ArticleSummary,
  FEED_CONTENT_TYPES,
  type FeedDocument,
  type FeedEntry,
  type FeedFormat,
  findTheme,
  renderFeed,
  type Theme,
} from "@eventwire/core";
import { Hono } from "hono";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";

const FEED_FILE = /^([a-z0-9][a-z0-9-]{0,62})\.(rss|atom|json)$/;

function toEntry(article: ArticleSummary, theme: Theme, base: string): FeedEntry {
  const categories = [{ term: theme.id, label: theme.title }];
  if (article.eventId !== null) categories.push({ term: `event-${article.eventId}`, label: `event ${article.eventId}` });
  if (article.sourceTitle !== null) categories.push({ term: `source-${article.sourceId}`, label: article.sourceTitle });
  return {
    id: `urn:eventwire:article:${article.id}`,
    url: article.url ?? `${base}/api/v1/articles/${article.id}`,
    title: article.title,
    summary: article.summary,
    publishedAt: article.publishedAt,
    updatedAt: article.fetchedAt,
    authorName: article.author ?? article.sourceTitle,
    categories,
    extension: {
      article_id: article.id,
      source_id: article.sourceId,
      source_title: article.sourceTitle,
      theme: article.theme,
      event_id: article.eventId,
      event_url: article.eventId === null ? null : `${base}/api/v1/events/${article.eventId}`,
      api_url: `${base}/api/v1/articles/${article.id}`,
    },
  };
}

// HTTP dates carry whole seconds; comparisons must too.
function toWholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function newestFetch(articles: ArticleSummary[]): Date {
  let newest = 0;
  for (const article of articles) newest = Math.max(newest, Date.parse(article.fetchedAt));
  return toWholeSeconds(new Date(newest));
}

// An article is stamped before its write lands, and HTTP dates have whole seconds, so a date in
// the last moments can still gain articles. Dates are trusted for 304s once this much older;
// until then only the ETag (a hash of the body) answers conditional requests.
const LAST_MODIFIED_SETTLE_MS = 60_000;

function notModifiedSince(ifModifiedSince: string | undefined, lastModified: Date, now: Date): boolean {
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since) || now.getTime() - lastModified.getTime() < LAST_MODIFIED_SETTLE_MS) return false;
  return lastModified.getTime() <= since;
}

/** A strong validator: a hash of the exact bytes served. */
function strongEtag(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** /feeds/{theme}.{rss|atom|json}: the newest on-theme articles of a theme. */
export function feedRoutes(deps: ApiDeps) {
  return new Hono().get("/:file", async (c) => {
    const file = c.req.param("file");
    const match = FEED_FILE.exec(file);
    if (match === null) {
      throw new ApiError(404, "not_found", `no feed at /feeds/${file}: feeds are /feeds/{theme}.rss, .atom or .json`);
    }
    const [, themeId = "", format = "rss"] = match;
    const theme = findTheme(deps.config.themes, themeId);
    if (theme === undefined) {
      const known = deps.config.themes.map((t) => t.id).join(", ");
      throw new ApiError(404, "not_found", `no theme named "${themeId}" (themes: ${known})`);
    }
    const page = await deps.store.articles.listByTheme(theme.id, { limit: deps.config.feedLimit });
    const lastModified = newestFetch(page.items);
    const base = baseUrl(c, deps);
    const doc: FeedDocument = {
      id: `urn:eventwire:feed:${theme.id}`,
      title: `${theme.title} — eventwire`,
      description: theme.description,
      language: theme.language,
      homeUrl: `${base}/`,
      selfUrls: {
        rss: `${base}/feeds/${theme.id}.rss`,
        atom: `${base}/feeds/${theme.id}.atom`,
        json: `${base}/feeds/${theme.id}.json`,
      },
      updatedAt: lastModified,
      entries: page.items.map((article) => toEntry(article, theme, base)),
    };
    const body = renderFeed(format as FeedFormat, doc);
    const headers = {
      "Cache-Control": `public, max-age=${deps.config.cacheMaxAgeSeconds}`,
      "Last-Modified": lastModified.toUTCString(),
      // Set here so a 304 for If-Modified-Since carries it too; the etag middleware then
      // answers If-None-Match against it.
      ETag: strongEtag(body),
    };
    // If-None-Match wins when both are sent (RFC 9110 §13.1.3).
    if (
      c.req.header("if-none-match") === undefined &&
      notModifiedSince(c.req.header("if-modified-since"), lastModified, deps.now())
    ) {
      return c.body(null, 304, headers);
    }
    return c.body(body, 200, { ...headers, "Content-Type": FEED_CONTENT_TYPES[format as FeedFormat] });
  });
}
