import { type Article, type NormalizeContext, normalizeFeedItem, type RawFeedItem } from "@eventwire/core";

const CONTEXT: NormalizeContext = {
  sourceId: "src",
  sourceTitle: "News Example",
  baseUrl: "https://news.example/",
  feedLanguage: "en",
  fetchedAt: new Date("2026-05-04T10:00:00Z"),
  theme: "isis-syria",
};

/** An article as ingest would store it, from a feed item written for the test. */
export function testArticle(item: RawFeedItem, context: Partial<NormalizeContext> = {}): Article {
  const result = normalizeFeedItem(item, { ...CONTEXT, ...context });
  if (!result.ok) throw new Error(result.reason);
  return result.article;
}
