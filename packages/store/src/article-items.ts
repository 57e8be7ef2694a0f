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
/** The index keys of an article item; the theme and event ones follow its matching. */
function articleIndexKeys(article: Pick<Article, "id" | "publishedAt" | "onTheme" | "theme" | "sourceId" | "eventId">): Item {
  const time = keys.byTime(article.publishedAt, article.id);
  return {
    gsi1pk: keys.articleCollection,
    gsi1sk: time,
    gsi2pk: article.onTheme ? keys.themeArticles(article.theme) : keys.offThemeArticles(article.theme),
    gsi2sk: time,
    gsi3pk: keys.sourceArticles(article.sourceId),
    gsi3sk: time,
    ...(article.eventId !== null ? { gsi4pk: keys.eventArticles(article.eventId), gsi4sk: time } : {}),
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
