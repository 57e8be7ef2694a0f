import {
  chooseXmlFeedFormat,
  eventEntryArticleIds,
  FEED_CONTENT_TYPES,
  FEED_FORMATS,
  type FeedDocument,
  type FeedFormat,
  type FeedPageLinks,
  mapFeedFormats,
  newestTime,
  renderFeed,
} from "@eventwire/core";
import type { PagePosition, TwoWayPage } from "@eventwire/store";
import type { Context } from "hono";
import { type CursorKey, decodeCursor, encodeCursor } from "./cursor";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";
import type { CachedBody } from "./http-cache";

/** A feed file name split into its name and format; `.xml` is RSS or Atom by the Accept header. */
export type FeedFile = { name: string; format: FeedFormat; negotiated: boolean };

// `.xml` is whichever XML format the Accept header prefers.
const FEED_FILE = new RegExp(`^(.+)\\.(${[...FEED_FORMATS, "xml"].join("|")})$`);

/** Reads `{name}.{rss|atom|json|xml}`; null when the name has no feed extension. */
export function parseFeedFile(file: string, accept: string | undefined): FeedFile | null {
  const match = FEED_FILE.exec(file);
  if (match === null) return null;
  const [, name = "", extension = "rss"] = match;
  if (extension === "xml") return { name, format: chooseXmlFeedFormat(accept), negotiated: true };
  return { name, format: extension as FeedFormat, negotiated: false };
}

// The direction rides inside the sealed payload, so it cannot be flipped without the secret.
const DIRECTION = "~";

/** Reads a feed cursor issued for `scope`; a 400 for anything else. */
export function readFeedCursor(deps: ApiDeps, scope: string, cursor: string | undefined): PagePosition | null {
  if (cursor === undefined) return null;
  const { [DIRECTION]: direction, ...key } = decodeCursor(deps.config.cursorSecret, scope, cursor);
  if ((direction !== "older" && direction !== "newer") || Object.keys(key).length === 0) {
    throw new ApiError(400, "invalid_parameter", 'query parameter "cursor": not a cursor this listing issued');
  }
  return { direction, key };
}

/** A cursor for `readFeedCursor`: the page of `scope` right after (older) or before (newer) `key`. */
export function encodePosition(deps: ApiDeps, scope: string, direction: PagePosition["direction"], key: CursorKey): string {
  return encodeCursor(deps.config.cursorSecret, scope, { ...key, [DIRECTION]: direction });
}

/** A feed's address in one format, on one page (a null cursor for the first). */
export type FeedUrl = (format: FeedFormat, cursor: string | null) => string;

/**
 * The document's own URLs in every format and its RFC 5005 neighbours in `format`: `next`
 * continues to older items, `previous` returns to newer ones, `first` is the newest page.
 */
export function pageLinks(
  deps: ApiDeps,
  scope: string,
  format: FeedFormat,
  cursor: string | undefined,
  page: Pick<TwoWayPage<unknown>, "olderKey" | "newerKey">,
  url: FeedUrl,
): { selfUrls: Record<FeedFormat, string>; pages: FeedPageLinks } {
  const encode = (direction: PagePosition["direction"], key: CursorKey) => encodePosition(deps, scope, direction, key);
  const selfUrls = mapFeedFormats((each) => url(each, cursor ?? null));
  const pages: FeedPageLinks = {};
  if (page.newerKey !== null) {
    pages.first = url(format, null);
    pages.previous = url(format, encode("newer", page.newerKey));
  }
  if (page.olderKey !== null) pages.next = url(format, encode("older", page.olderKey));
  return { selfUrls, pages };
}

/**
 * One page of a theme's events, newest activity first, and the articles their entries show: the
 * events feed and the home page (which also shows each event's central article: read in the same
 * batch). Cursors are bound to the listing (`kind`), the theme and the filter.
 */
export async function themeEventsPage(
  deps: ApiDeps,
  kind: "feed" | "page",
  themeId: string,
  minSources: number,
  cursor: string | undefined,
) {
  const scope = `${kind}:events:${themeId}:${minSources}`;
  const position = readFeedCursor(deps, scope, cursor);
  const page = await deps.store.events.pageByTheme(themeId, {
    limit: deps.config.feedLimit,
    position,
    minSources,
    maxRead: deps.config.filterReadLimit,
  });
  const ids = page.items.flatMap((event) => [
    ...eventEntryArticleIds(event),
    ...(kind === "page" ? [event.centralArticleId] : []),
  ]);
  const articles = await deps.store.articles.getSummaries(ids, { themeId });
  return { scope, page, articles };
}

/**
 * A feed's modification time: the newest of `times`, to whole seconds, never later than now.
 * With no time at all (a theme nothing has reached yet), the empty document is as of now: the
 * epoch would tell a reader the feed was last built in 1970.
 */
function feedModifiedAt(deps: ApiDeps, times: readonly string[]): Date {
  const now = Math.floor(deps.now().getTime() / 1000) * 1000;
  const newest = newestTime(times).getTime();
  return new Date(newest === 0 ? now : Math.min(newest, now));
}

/**
 * The modification time of something a theme's matching shapes (its feeds, an event): the
 * newest of `times` and of the theme's last change. An event renamed by a late article, or an
 * article claimed with its old fetch time, moves no date on the page itself; the theme's change
 * time moves with every such commit, so `If-Modified-Since` never keeps a stale body.
 */
export async function themeModifiedAt(deps: ApiDeps, themeId: string, times: readonly string[]): Promise<Date> {
  const changedAt = await deps.store.events.changedAt(themeId);
  return feedModifiedAt(deps, changedAt === null ? times : [...times, changedAt]);
}

/**
 * Renders the document with what decides the caching headers every feed carries (see
 * `sendPrepared`): `Last-Modified` (the document's time), `Cache-Control`, `Vary: Accept` where
 * the format was negotiated, and the theme whose changes make it stale.
 */
export function feedBody(deps: ApiDeps, file: FeedFile, doc: FeedDocument, theme: string): CachedBody {
  return {
    body: renderFeed(file.format, doc),
    contentType: FEED_CONTENT_TYPES[file.format],
    cacheControl: `public, max-age=${deps.config.cacheMaxAgeSeconds}`,
    lastModified: doc.updatedAt,
    vary: file.negotiated ? "Accept" : undefined,
    theme,
  };
}

/** What, besides the URL, picks a feed's body: the format an Accept header chose for `.xml`. */
export function feedVariant(c: Context): string {
  return parseFeedFile(c.req.param("file") ?? "", c.req.header("accept"))?.format ?? "";
}
