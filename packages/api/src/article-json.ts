import type { Article, ArticleSummary } from "@eventwire/core";

/**
 * The public JSON shape of an article: `text` and the matcher's `explanation` only where one
 * article (or one event's articles) is asked for.
 */
export function articleJson(article: ArticleSummary | Article, base: string, options: { explain: boolean } = { explain: false }) {
  return {
    id: article.id,
    url: article.url,
    title: article.title,
    summary: article.summary,
    ...("text" in article ? { text: article.text } : {}),
    author: article.author,
    language: article.language,
    publishedAt: article.publishedAt,
    dateInferred: article.dateInferred,
    fetchedAt: article.fetchedAt,
    updatedAt: article.updatedAt ?? null,
    source: { id: article.sourceId, title: article.sourceTitle },
    ...judgementJson(article, base),
    ...(options.explain ? { explanation: article.explanation } : {}),
  };
}

/** One theme's judgement of an article: the theme, whether on it, the score, the event it joined. */
function judgementJson(article: ArticleSummary, base: string) {
  return {
    theme: article.theme,
    onTheme: article.onTheme,
    themeScore: article.themeScore,
    event: article.eventId === null ? null : { id: article.eventId, url: `${base}/api/v1/events/${article.eventId}` },
  };
}

/** An article's judgements by each theme that judged it (its first theme's first), with the matcher's explanations. */
export function themesJson(judgements: readonly ArticleSummary[], base: string) {
  return judgements.map((judgement) => ({ ...judgementJson(judgement, base), explanation: judgement.explanation }));
}
