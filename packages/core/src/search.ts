import type { EventState } from "./matcher/event";
import { compileEntities, extractEntities } from "./text-features/entities";
import type { ThemeDefinition } from "./text-features/theme-score";
import { contentTerms, foldText } from "./text-features/tokens";
import type { ArticleSummary } from "./types";

/**
 * The words of a search, as the matcher's own terms (folded, stemmed, stop words dropped), so
 * "attacks" finds "attack" and "Türkiye" finds "turkiye". Empty when the query has no word that
 * carries meaning.
 */
export function searchTerms(query: string): string[] {
  return [...new Set(contentTerms(query))];
}

/** True when every term occurs in one of the texts. */
export function textsContainTerms(terms: readonly string[], texts: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const present = new Set(texts.flatMap((text) => contentTerms(text)));
  return terms.every((term) => present.has(term));
}

/**
 * The keys an entity filter may match in an event's entities: the name as the matcher keys an
 * unknown name (folded, hyphens as spaces), and the theme's own entity it names, if any — by
 * id ("isis") or by any alias ("Islamic State", "Daesh").
 */
export function entityKeys(name: string, theme: Pick<ThemeDefinition, "entities"> | undefined): string[] {
  const folded = foldText(name).replace(/['’]/g, "").replace(/-/g, " ").replace(/\s+/g, " ").trim();
  const keys = new Set([folded]);
  if (theme !== undefined) {
    for (const entity of theme.entities) if (entity.id === folded) keys.add(entity.id);
    // Read as a title would be: known names only, never a guess.
    for (const key of extractEntities(name, compileEntities(theme.entities), false).keys()) keys.add(key);
  }
  return [...keys].filter((key) => key !== "");
}

/** What an events listing filters on beyond its theme and its index range. */
export type EventFilter = {
  /** Search terms (see `searchTerms`), all of which must occur. */
  terms: readonly string[];
  /** Any one of these entity keys must be among the event's entities; null: no entity filter. */
  entityKeys: readonly string[] | null;
  /** Fewest distinct sources. */
  minSources: number;
  /** ISO time the event must have started by (its first report at or before it); null: any. */
  until: string | null;
};

/**
 * Whether an event passes the filter. The search reads the event's title and its term
 * centroids (the words of its articles' titles and text, as the matcher keeps them) and its
 * entity names.
 */
export function eventMatchesFilter(event: EventState, filter: EventFilter): boolean {
  if (event.outlets.length < filter.minSources) return false;
  if (filter.until !== null && event.firstSeen > filter.until) return false;
  if (filter.entityKeys !== null && !filter.entityKeys.some((key) => event.entities.has(key))) return false;
  if (filter.terms.length === 0) return true;
  const present = new Set([...contentTerms(event.title), ...event.titleTerms.keys(), ...event.bodyTerms.keys()]);
  for (const key of event.entities.keys()) for (const term of contentTerms(key)) present.add(term);
  return filter.terms.every((term) => present.has(term));
}

/** What an articles listing filters on beyond the index partition and time range it reads. */
export type ArticleFilter = {
  terms: readonly string[];
  theme: string | null;
  eventId: string | null;
  sourceId: string | null;
  onTheme: boolean | null;
};

/** Whether an article's title and summary (what a search reads of it) hold every term. */
export function articleHoldsTerms(terms: readonly string[], article: { title: string; summary: string }): boolean {
  return textsContainTerms(terms, [article.title, article.summary]);
}

/** Whether an article passes the filter; the search reads its title and summary. */
export function articleMatchesFilter(article: ArticleSummary, filter: ArticleFilter): boolean {
  if (filter.theme !== null && article.theme !== filter.theme) return false;
  if (filter.eventId !== null && article.eventId !== filter.eventId) return false;
  if (filter.sourceId !== null && article.sourceId !== filter.sourceId) return false;
  if (filter.onTheme !== null && article.onTheme !== filter.onTheme) return false;
  return articleHoldsTerms(filter.terms, article);
}
