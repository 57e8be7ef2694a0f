import { readFeedDate } from "./feed-date";
import { hashId } from "./hash";
import { htmlToText, truncateText } from "./text";
import type { Article, RawFeedItem } from "./types";
import { canonicalizeUrl } from "./url";

/** Upper bounds on stored text, so one item stays far below DynamoDB's 400 KB limit. */
export const ARTICLE_LIMITS = {
  title: 400,
  summary: 1_000,
  text: 20_000,
  guid: 500,
  author: 200,
} as const;

// Feeds that carry dates before this are wrong (an unset date rendered as the epoch, say).
const EARLIEST_PLAUSIBLE = Date.UTC(1995, 0, 1);
// Clocks drift; a date a few minutes ahead is kept, anything further is the feed's mistake.
const FUTURE_TOLERANCE_MS = 10 * 60 * 1000;

export type NormalizeContext = {
  sourceId: string;
  sourceTitle: string | null;
  /** Base for links still relative after the parser applied `xml:base`: the feed's own URL. */
  baseUrl: string;
  feedLanguage: string | null;
  fetchedAt: Date;
  theme: string;
};

export type NormalizeResult = { ok: true; article: Article } | { ok: false; reason: string };

/** Hash of an article's title and text, case-folded: the same report re-published has the same one. */
export function contentHashOf(title: string, text: string): string {
  return hashId("content", title.toLowerCase(), text.toLowerCase());
}

/** The source id for a feed URL: stable across runs, machines and re-additions. */
export function sourceIdForUrl(canonicalUrl: string): string {
  return hashId("source", canonicalUrl);
}

function parseFeedDate(raw: string | undefined, fetchedAt: Date): { iso: string; inferred: boolean } {
  const fallback = { iso: fetchedAt.toISOString(), inferred: true };
  if (raw === undefined || raw.trim() === "") return fallback;
  const time = readFeedDate(raw);
  if (time === null || time < EARLIEST_PLAUSIBLE) return fallback;
  if (time > fetchedAt.getTime() + FUTURE_TOLERANCE_MS) return fallback;
  return { iso: new Date(time).toISOString(), inferred: false };
}

function cleanShort(raw: string | undefined, max: number): string | null {
  if (raw === undefined) return null;
  const text = htmlToText(raw);
  return text === "" ? null : truncateText(text.replace(/\n+/g, " "), max);
}

/**
 * The fields of a feed item as the product reads them, before it decides whether the item is an
 * article: an article's own fields (the title empty when the item has neither a title nor any text).
 */
export type FeedItemFields = Pick<
  Article,
  "url" | "guid" | "title" | "summary" | "text" | "author" | "language" | "publishedAt" | "dateInferred"
>;

/**
 * Reads one parsed feed item: canonical URL (the link, else a GUID that is a permalink), the
 * GUID, title, summary and text stripped of markup and bounded, the UTC date (the fetch time,
 * marked inferred, when the feed gives none that is readable and plausible).
 */
export function readFeedItemFields(item: RawFeedItem, context: NormalizeContext): FeedItemFields {
  const guid = item.guid?.trim() ? item.guid.trim().slice(0, ARTICLE_LIMITS.guid) : null;
  const url =
    (item.link !== undefined ? canonicalizeUrl(item.link, context.baseUrl) : null) ??
    // A GUID the feed marks as no permalink is an opaque id, however much it looks like a URL.
    (guid !== null && item.guidIsPermaLink !== false && /^https?:\/\//i.test(guid) ? canonicalizeUrl(guid) : null);

  const bodyHtml = item.contentHtml ?? item.summaryHtml ?? "";
  const text = truncateText(htmlToText(bodyHtml), ARTICLE_LIMITS.text);
  const summarySource = item.summaryHtml !== undefined ? htmlToText(item.summaryHtml) : text;
  const summary = truncateText(summarySource.replace(/\n+/g, " "), ARTICLE_LIMITS.summary);
  const title = cleanShort(item.title, ARTICLE_LIMITS.title) ?? (summary ? truncateText(summary, 120) : "");
  const published = parseFeedDate(item.date, context.fetchedAt);
  return {
    url,
    guid,
    title,
    summary,
    text,
    author: cleanShort(item.author, ARTICLE_LIMITS.author),
    language: cleanShort(item.language, 20) ?? context.feedLanguage,
    publishedAt: published.iso,
    dateInferred: published.inferred,
  };
}

/**
 * Turns one parsed feed item into an article: its fields as `readFeedItemFields` reads them and a
 * deterministic id (from the URL, else the GUID within its source, else the content). Items with
 * neither a title nor any text are refused with a reason.
 */
export function normalizeFeedItem(item: RawFeedItem, context: NormalizeContext): NormalizeResult {
  const fields = readFeedItemFields(item, context);
  const { url, guid, title, text } = fields;
  if (title === "") {
    return { ok: false, reason: `item ${guid ?? url ?? "(no guid, no link)"} has no title and no text` };
  }
  const id =
    url !== null
      ? hashId("url", url)
      : guid !== null
        ? hashId("guid", context.sourceId, guid)
        : hashId("content", context.sourceId, title, fields.dateInferred ? "" : fields.publishedAt);

  return {
    ok: true,
    article: {
      id,
      ...fields,
      sourceId: context.sourceId,
      sourceTitle: context.sourceTitle,
      fetchedAt: context.fetchedAt.toISOString(),
      theme: context.theme,
      onTheme: false,
      themeScore: null,
      eventId: null,
      explanation: null,
      contentHash: contentHashOf(title, text),
    },
  };
}
