import { acceptQuality } from "./accept";
import type { FeedCategory, FeedEntry, FeedFormat, FeedLink } from "./feed-render";
import type { EventState } from "./matcher/event";
import { plural } from "./text";
import type { ArticleSummary, Theme } from "./types";

/** Where our own resources live, as the API serves them; feed links point there. */
export type FeedUrls = {
  /** The page for people about one event. */
  eventPage(eventId: string): string;
  /** The feed of one event's articles, in the format being rendered. */
  eventFeed(eventId: string): string;
  eventApi(eventId: string): string;
  articleApi(articleId: string): string;
  sourceApi(sourceId: string): string;
};

/** What an article entry may name besides the article: the title of its event, when known. */
export type ArticleEntryContext = { theme: Theme; urls: FeedUrls; eventTitles: ReadonlyMap<string, string> };

/**
 * The kinds of category entries carry, as Atom `scheme` and RSS `domain` URIs: the theme
 * (`term` its id), the event (`event-{id}`) and the source (`source-{id}`).
 */
const CATEGORY_SCHEMES = {
  theme: "urn:eventwire:theme",
  event: "urn:eventwire:event",
  source: "urn:eventwire:source",
} as const;

const themeCategory = (theme: Theme): FeedCategory => ({ term: theme.id, label: theme.title, scheme: CATEGORY_SCHEMES.theme });
const eventCategory = (eventId: string, title: string): FeedCategory => ({
  term: `event-${eventId}`,
  label: title,
  scheme: CATEGORY_SCHEMES.event,
});

/** Articles of an event linked from its entry in an events feed. */
export const EVENT_ENTRY_ARTICLES = 5;

const sourceName = (article: ArticleSummary) => article.sourceTitle ?? article.sourceId;

/** An article as a feed entry, naming and linking its event and its source. */
export function articleFeedEntry(article: ArticleSummary, context: ArticleEntryContext): FeedEntry {
  const { theme, urls } = context;
  const categories: FeedCategory[] = [themeCategory(theme)];
  const related: FeedLink[] = [];
  const eventId = article.eventId;
  if (eventId !== null) {
    const eventTitle = context.eventTitles.get(eventId) ?? `event ${eventId}`;
    categories.push(eventCategory(eventId, eventTitle));
    related.push(
      { label: "Event", title: eventTitle, url: urls.eventPage(eventId) },
      { label: "Follow this event", title: "feed of its articles", url: urls.eventFeed(eventId) },
    );
  }
  categories.push({ term: `source-${article.sourceId}`, label: sourceName(article), scheme: CATEGORY_SCHEMES.source });
  related.push({ label: "Source", title: sourceName(article), url: urls.sourceApi(article.sourceId) });
  return {
    id: `urn:eventwire:article:${article.id}`,
    url: article.url ?? urls.articleApi(article.id),
    title: article.title,
    summary: article.summary,
    publishedAt: article.publishedAt,
    // Modified when a later fetch found it edited; else as published (not when fetched: one run
    // fetches many articles at the same instant, and Atom readers take equal times as a fault).
    updatedAt: article.updatedAt ?? article.publishedAt,
    datedBy: "published",
    authorName: article.author ?? article.sourceTitle,
    categories,
    related,
    extension: {
      article_id: article.id,
      source_id: article.sourceId,
      source_title: article.sourceTitle,
      source_url: urls.sourceApi(article.sourceId),
      theme: article.theme,
      event_id: eventId,
      event_title: eventId === null ? null : (context.eventTitles.get(eventId) ?? null),
      event_url: eventId === null ? null : urls.eventPage(eventId),
      event_feed_url: eventId === null ? null : urls.eventFeed(eventId),
      event_api_url: eventId === null ? null : urls.eventApi(eventId),
      api_url: urls.articleApi(article.id),
    },
  };
}

/** "2026-05-04T10:00:00.000Z" -> "2026-05-04 10:00 UTC": the same in every reader's locale. */
export function readableTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** One sentence on an event: how many articles and distinct sources, first and last seen. */
export function describeEvent(event: EventState): string {
  return (
    `${plural(event.articleCount, "article")} from ${plural(event.outlets.length, "distinct source")}; ` +
    `first seen ${readableTime(event.firstSeen)}, last seen ${readableTime(event.lastSeen)}.`
  );
}

/**
 * An event as one feed entry: its id is the event's, so a reader shows the story once however
 * often it grows. The content counts its articles and distinct sources, says when it started,
 * and links its newest articles (`articles`, newest first).
 */
export function eventFeedEntry(event: EventState, articles: readonly ArticleSummary[], theme: Theme, urls: FeedUrls): FeedEntry {
  const related: FeedLink[] = articles.slice(0, EVENT_ENTRY_ARTICLES).map((article) => ({
    label: sourceName(article),
    title: article.title,
    url: article.url ?? urls.articleApi(article.id),
  }));
  related.push({ label: "Follow this event", title: "feed of its articles", url: urls.eventFeed(event.id) });
  return {
    id: `urn:eventwire:event:${event.id}`,
    url: urls.eventPage(event.id),
    title: event.title,
    summary: describeEvent(event),
    publishedAt: event.firstSeen,
    // The event's last change: its newest report. A story that grows is dated again (RSS
    // `pubDate`, Atom `updated`, JSON Feed `date_modified`) under the same id.
    updatedAt: event.lastSeen,
    datedBy: "updated",
    authorName: null,
    categories: [themeCategory(theme), eventCategory(event.id, event.title)],
    related,
    extension: {
      event_id: event.id,
      theme: event.theme,
      article_count: event.articleCount,
      source_count: event.outlets.length,
      first_seen: event.firstSeen,
      last_seen: event.lastSeen,
      event_feed_url: urls.eventFeed(event.id),
      event_api_url: urls.eventApi(event.id),
    },
  };
}

/** The articles an events-feed entry links: the event's latest members, newest first. */
export function eventEntryArticleIds(event: EventState): string[] {
  return event.members
    .slice(-EVENT_ENTRY_ARTICLES)
    .reverse()
    .map((member) => member.articleId);
}

/**
 * The format of a `.xml` feed: RSS 2.0, unless the Accept header rates `application/atom+xml`
 * above `application/rss+xml`.
 */
export function chooseXmlFeedFormat(accept: string | undefined): Extract<FeedFormat, "rss" | "atom"> {
  if (accept === undefined) return "rss";
  return acceptQuality(accept, "application/atom+xml") > acceptQuality(accept, "application/rss+xml") ? "atom" : "rss";
}

/** The newest of some ISO times, to whole seconds (HTTP dates have no more); the epoch for none. */
export function newestTime(times: readonly string[]): Date {
  let newest = 0;
  for (const time of times) {
    const parsed = Date.parse(time);
    if (!Number.isNaN(parsed)) newest = Math.max(newest, parsed);
  }
  return new Date(Math.floor(newest / 1000) * 1000);
}
