import type { Article, ArticleSummary, MatchInput } from "@eventwire/core";

/** What the matcher reads of a stored article (the full text, else the summary). */
export function toMatchInput(article: Article | ArticleSummary): MatchInput {
  const text = "text" in article && article.text !== "" ? article.text : article.summary;
  return {
    id: article.id,
    sourceId: article.sourceId,
    title: article.title,
    text,
    summary: article.summary,
    publishedAt: article.publishedAt,
    dated: !article.dateInferred,
    contentHash: article.contentHash,
    outlet: article.sourceTitle,
    author: article.author,
  };
}
