import { type Article, type FeedItemFields, normalizeFeedItem, readFeedItemFields } from "@eventwire/core";
import { decodeBody, type ParsedFeed, parseFeed } from "@eventwire/pipeline";

/** The day of the run the figures come from: every corpus date is before it. */
const FETCHED_AT = new Date("2026-12-06T00:00:00Z");

/**
 * One item as the product read it: its fields, and the article it became or the reason it was
 * left out (an item with neither a title nor any text is not stored; its fields are still read).
 */
type ProductItem = { fields: FeedItemFields; article: Article | null; reason: string | null };

export type ProductRead = {
  charset: string;
  detected: boolean;
  /** UTF-8 with stray bytes of another encoding, read byte by byte. */
  mixed: boolean;
  /** The parser's refusal, in words, when the document was refused. */
  refusal: string | null;
  feed: ParsedFeed | null;
  items: ProductItem[];
};

/**
 * Reads a document as ingestion does (`ingest-source.ts`): decode the bytes by what the response
 * declares (or detect), parse, normalise each item against the document's URL. Throws only if
 * the product itself throws, which is what the peer suite watches for.
 */
export async function readThroughProduct(bytes: Uint8Array, contentType: string | null, url: string): Promise<ProductRead> {
  const decoded = decodeBody(contentType, bytes);
  const parsed = await parseFeed(decoded.text, url);
  if (!parsed.ok) {
    return {
      charset: decoded.charset,
      detected: decoded.detected,
      mixed: decoded.mixed,
      refusal: parsed.message,
      feed: null,
      items: [],
    };
  }
  const context = {
    sourceId: "peer",
    sourceTitle: parsed.feed.title,
    baseUrl: url,
    feedLanguage: parsed.feed.language,
    fetchedAt: FETCHED_AT,
    theme: "peer",
  };
  const items = parsed.feed.items.map((item): ProductItem => {
    const result = normalizeFeedItem(item, context);
    return {
      fields: readFeedItemFields(item, context),
      article: result.ok ? result.article : null,
      reason: result.ok ? null : result.reason,
    };
  });
  return { charset: decoded.charset, detected: decoded.detected, mixed: decoded.mixed, refusal: null, feed: parsed.feed, items };
}
