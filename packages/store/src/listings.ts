import {
  type ArticleFilter,
  type ArticleSummary,
  articleMatchesFilter,
  type EventFilter,
  type EventState,
  eventMatchesFilter,
} from "@eventwire/core";
import { type ArticlePartition, type ArticleRepository, publishedRange } from "./article-repository";
import type { EventRepository } from "./event-repository";
import type { FilteredPage } from "./filtered-page";
import type { PageKey } from "./items";

// The listings' query planning: which index partition serves a filter, and which filters are
// left to apply while reading it. A caller asks for "the articles of this source since T"; the
// partitions stay in here.

/** One bounded page of a listing: at most `limit` items, reading at most `maxRead`, after `after`. */
export type ListingRequest = { limit: number; after: PageKey | null; maxRead: number };

/** What an articles listing asks for: the filter and a publication-time range (ISO times, inclusive). */
export type ArticleQuery = { filter: ArticleFilter; since: string | null; until: string | null };

/** What an events listing asks for: one theme's events active since a time, passing a filter. */
export type EventQuery = { themeId: string; filter: EventFilter; activeSince: string | null };

/**
 * The index partition that serves the most selective filter; the others are applied to what it
 * reads. A theme's articles in a partition that lists every theme's (all, a source's) are read
 * as that theme judged them.
 */
function partitionFor(filter: ArticleFilter): ArticlePartition {
  const judgedBy = filter.theme ?? undefined;
  if (filter.eventId !== null) return { kind: "event", eventId: filter.eventId };
  if (filter.sourceId !== null) return { kind: "source", sourceId: filter.sourceId, judgedBy };
  if (filter.theme !== null && filter.onTheme !== null) return { kind: "theme", themeId: filter.theme, onTheme: filter.onTheme };
  return { kind: "all", judgedBy };
}

/** Whether the partition alone already gives exactly the filter's articles. */
function servedByPartition(filter: ArticleFilter, where: ArticlePartition): boolean {
  const given = (value: unknown) => value !== null;
  switch (where.kind) {
    case "all":
      return !given(filter.onTheme) && !given(filter.sourceId) && !given(filter.eventId);
    case "theme":
      return !given(filter.sourceId) && !given(filter.eventId);
    case "source":
      return !given(filter.onTheme) && !given(filter.eventId);
    case "event":
      return !given(filter.theme) && !given(filter.onTheme) && !given(filter.sourceId);
  }
}

/**
 * The articles that pass a query, newest first, one bounded page without full text: read from the
 * index partition that serves its most selective filter, with the rest (and the words) applied
 * while reading. A page may hold fewer than `limit` articles and still have a `nextKey`. A search's
 * pages skip the stretches of time its words are not in (search-page.ts).
 */
export function listArticles(
  articles: ArticleRepository,
  query: ArticleQuery,
  request: ListingRequest,
): Promise<FilteredPage<ArticleSummary>> {
  const { filter } = query;
  const where = partitionFor(filter);
  const range = publishedRange(query.since, query.until);
  // A search skips, by the search index, the stretches of time that hold none of its words.
  if (filter.terms.length > 0)
    return articles.searchPage(where, range, filter.terms, {
      ...request,
      accept: (article) => articleMatchesFilter(article, filter),
    });
  const filtered = !servedByPartition(filter, where);
  return articles.filterPage(where, range, {
    ...request,
    accept: filtered ? (article) => articleMatchesFilter(article, filter) : null,
  });
}

/**
 * A theme's events that pass a query, the most recently active first, one bounded page: the
 * theme's events read in order from `activeSince`, the filter applied while reading (only when
 * it filters anything).
 */
export function listEvents(
  events: EventRepository,
  query: EventQuery,
  request: ListingRequest,
): Promise<FilteredPage<EventState>> {
  const { filter } = query;
  const filtered = filter.terms.length > 0 || filter.entityKeys !== null || filter.minSources > 1 || filter.until !== null;
  return events.filterByTheme(query.themeId, query.activeSince, {
    ...request,
    accept: filtered ? (event) => eventMatchesFilter(event, filter) : null,
  });
}
