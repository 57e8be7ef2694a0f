import { type Article, normalizeFeedItem, type Source } from "@eventwire/core";
import { firstTheme, type PipelineDeps } from "./deps";
import { type ParsedFeed, parseFeed } from "./parse-feed";

/** Normalises parsed items, dropping those that cannot become articles and repeats within the feed. */
function toArticles(deps: PipelineDeps, source: Source, feedUrl: string, feed: ParsedFeed, fetchedAt: Date) {
  const articles = new Map<string, Article>();
  let skipped = 0;
  const context = {
    sourceId: source.id,
    sourceTitle: source.title ?? feed.title,
    // RFC 3986: a document's links resolve against the address it came from (the parser has
    // already applied any xml:base), never against the link the channel names.
    baseUrl: feedUrl,
    feedLanguage: feed.language,
    fetchedAt,
    // The first theme's: each theme's run over the articles gives them its own.
    theme: firstTheme(deps).id,
  };
  for (const item of feed.items) {
    const result = normalizeFeedItem(item, context);
    if (!result.ok) {
      skipped += 1;
      deps.log.warn("feed item skipped", { sourceId: source.id, reason: result.reason });
      continue;
    }
    if (!articles.has(result.article.id)) articles.set(result.article.id, result.article);
  }
  return { articles: [...articles.values()], skipped };
}

/**
 * The body of a fetched feed, handed over once: the outcome keeps an empty string, so a large
 * document can be freed as soon as its items are read, not held while they are matched.
 */
export function takeBody(outcome: { body: string }): string {
  const { body } = outcome;
  outcome.body = "";
  return body;
}

type ReadFeed =
  | { ok: false; message: string }
  | {
      ok: true;
      articles: Article[];
      /** Items that could not become articles. */
      unusable: number;
      /** Items in the document. */
      items: number;
      title: string | null;
      ttlMinutes: number | null;
      /** The publication times the feed stated (for the poll interval). */
      dated: number[];
    };

/**
 * Parses a feed document and normalises its items. Only the articles and a few facts leave
 * this function: the document and its parsed items are not kept while the articles are stored.
 */
export async function readFeed(
  deps: PipelineDeps,
  source: Source,
  body: string,
  feedUrl: string,
  fetchedAt: Date,
): Promise<ReadFeed> {
  const parsed = await parseFeed(body, feedUrl);
  if (!parsed.ok) return parsed;
  const { articles, skipped } = toArticles(deps, source, feedUrl, parsed.feed, fetchedAt);
  return {
    ok: true,
    articles,
    unusable: skipped,
    items: parsed.feed.items.length,
    title: parsed.feed.title,
    ttlMinutes: parsed.feed.ttlMinutes,
    dated: articles.filter((article) => !article.dateInferred).map((article) => Date.parse(article.publishedAt)),
  };
}
