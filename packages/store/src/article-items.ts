import type { Article, ArticleSummary } from "@eventwire/core";
import { type Item, pickFields } from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION } from "./table";

const SUMMARY_FIELDS = [
  "id",
  "url",
  "guid",
  "sourceId",
  "sourceTitle",
  "title",
  "summary",
  "author",
  "language",
  "publishedAt",
  "dateInferred",
  "fetchedAt",
  "theme",
  "onTheme",
  "themeScore",
  "contentHash",
  "eventId",
  "explanation",
  "updatedAt",
] as const satisfies readonly (keyof ArticleSummary)[];

/** An article item read back without its text. */
export function summaryFromItem(item: Item): ArticleSummary {
  return pickFields<ArticleSummary>(item, SUMMARY_FIELDS);
}

// The article item carries everything but the full text, which lives in a second item under the
// same partition. Listings then read small items: a Query page (1 MB at most, counted before any
// projection) holds a whole feed's worth of articles even when their texts are long.
type Judged = Pick<Article, "id" | "publishedAt" | "onTheme" | "theme" | "eventId">;

/** The index keys that follow a theme's judgement: its on- or off-theme partition, and its event's. */
function themeIndexKeys(article: Judged): Item {
  const time = keys.byTime(article.publishedAt, article.id);
  return {
    gsi2pk: article.onTheme ? keys.themeArticles(article.theme) : keys.offThemeArticles(article.theme),
    gsi2sk: time,
    ...(article.eventId !== null ? { gsi4pk: keys.eventArticles(article.eventId), gsi4sk: time } : {}),
  };
}

/** The index keys of an article item; the theme and event ones follow its (first theme's) matching. */
function articleIndexKeys(article: Judged & Pick<Article, "sourceId">): Item {
  const time = keys.byTime(article.publishedAt, article.id);
  return {
    gsi1pk: keys.articleCollection,
    gsi1sk: time,
    ...themeIndexKeys(article),
    gsi3pk: keys.sourceArticles(article.sourceId),
    gsi3sk: time,
  };
}

/**
 * The themes that have judged a stored article: its own (inline) and those of its memberships
 * (`judged`, absent on an article no further theme has judged, as every item written before
 * themes were several).
 */
export function judgedThemes(item: Item): Set<string> {
  const further = item.judged instanceof Set ? [...(item.judged as Set<string>)] : [];
  return new Set([String(item.theme), ...further]);
}

/** The article's judgement by one further theme, with a copy of its listing fields (`article.theme` is that theme). */
export function membershipItem(article: ArticleSummary): Item {
  return {
    ...keys.membership(article.id, article.theme),
    ...themeIndexKeys(article),
    type: ENTITY.membership,
    schemaVersion: SCHEMA_VERSION,
    ...pickFields<ArticleSummary>(article as unknown as Item, SUMMARY_FIELDS),
  };
}

/** The two items of an article: everything but the text, and the text. */
export function articleItems(article: Article): { summary: Item; text: Item } {
  const { text, ...summary } = article;
  return {
    summary: {
      ...keys.article(article.id),
      ...articleIndexKeys(article),
      type: ENTITY.article,
      schemaVersion: SCHEMA_VERSION,
      ...summary,
    },
    text: { ...keys.articleText(article.id), type: ENTITY.articleText, schemaVersion: SCHEMA_VERSION, text },
  };
}
