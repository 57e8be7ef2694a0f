import type { Article, ArticleSummary } from "@eventwire/core";

/** The public JSON shape of an article; `text` only where one article is asked for. */
export function articleJson(article: ArticleSummary | Article) {
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
    source: { id: article.sourceId, title: article.sourceTitle },
    theme: article.theme,
    onTheme: article.onTheme,
    themeScore: article.themeScore,
  };
}
