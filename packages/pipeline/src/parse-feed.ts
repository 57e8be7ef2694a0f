import { htmlToText, type RawFeedItem, truncateText } from "@eventwire/core";
import Parser from "rss-parser";

/** Bounds on what a feed says about itself. */
const FEED_TITLE_MAX = 200;
const LANGUAGE_MAX = 20;

// rss-parser turns an Atom entry's <published>/<updated> into a date with no guard, so one
// unreadable date would reject the whole feed. Blanking unreadable values at the XML layer lets
// the entry through without a date (it then counts as published when fetched).
const ATOM_DATE_ELEMENTS = new Set(["published", "updated"]);
function blankUnreadableDates(value: string, name: string): string {
  return ATOM_DATE_ELEMENTS.has(name) && Number.isNaN(Date.parse(value.trim())) ? "" : value;
}

export type ParsedFeed = {
  title: string | null;
  link: string | null;
  language: string | null;
  /** RSS `<ttl>`: minutes the feed asks readers to wait between polls. */
  ttlMinutes: number | null;
  items: RawFeedItem[];
};

export type ParseFeedResult = { ok: true; feed: ParsedFeed } | { ok: false; message: string };

type ParserItem = Record<string, unknown>;

// xml2js hands over either a string or, when the element had attributes, { _: text, $: attrs }.
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value !== null && typeof value === "object" && "_" in value) {
    const inner = (value as { _: unknown })._;
    return typeof inner === "string" ? inner : undefined;
  }
  return undefined;
}

function toRawItem(item: ParserItem): RawFeedItem {
  // rss-parser puts an RSS <description> in `content` and an Atom <summary> in `summary`;
  // full text is in <content:encoded> (RSS) or <content> (Atom).
  const summaryHtml = textOf(item.summary) ?? textOf(item.content);
  const contentHtml = textOf(item["content:encoded"]) ?? textOf(item.content);
  return {
    title: textOf(item.title),
    link: textOf(item.link),
    guid: textOf(item.guid) ?? textOf(item.id),
    date: textOf(item.isoDate) ?? textOf(item.pubDate) ?? textOf(item.date),
    summaryHtml,
    contentHtml,
    author: textOf(item.creator) ?? textOf(item.author),
    language: textOf(item.language),
  };
}

function looksLikeHtml(body: string): boolean {
  return /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>])/i.test(body);
}

// The XML parser (sax, under rss-parser) never expands entities a document declares, and never
// reads external ones: "billion laughs" and XXE documents are inert. They are refused with a
// sentence saying so rather than half-read, as no real feed declares entities of its own.
function declaresEntities(body: string): boolean {
  const doctype = /<!DOCTYPE[^[>]*\[([\s\S]*?)\]\s*>/i.exec(body.slice(0, 64 * 1024));
  return doctype?.[1] !== undefined && /<!ENTITY/i.test(doctype[1]);
}

function ttlOf(value: unknown): number | null {
  const minutes = Number(textOf(value)?.trim());
  return Number.isInteger(minutes) && minutes > 0 ? minutes : null;
}

/** Parses an RSS 2.0, RSS 0.9x, RDF (RSS 1.0) or Atom 1.0 document. Never throws. */
export async function parseFeed(body: string): Promise<ParseFeedResult> {
  if (body.trim() === "") return { ok: false, message: "the response body is empty" };
  if (looksLikeHtml(body)) return { ok: false, message: "the URL returned an HTML page, not a feed" };
  if (declaresEntities(body)) {
    return {
      ok: false,
      message: "the document declares its own XML entities (<!ENTITY> in its DOCTYPE), which are never expanded",
    };
  }
  // A parser per document: rss-parser keeps one xml2js parser per instance, and xml2js
  // parser state is not safe to share between documents parsed at the same time.
  const parser = new Parser({
    customFields: { feed: ["language", "ttl"] },
    xml2js: { valueProcessors: [blankUnreadableDates] },
  });
  try {
    const feed = await parser.parseString(body);
    return {
      ok: true,
      feed: {
        title: truncateText(htmlToText(textOf(feed.title) ?? ""), FEED_TITLE_MAX) || null,
        link: textOf(feed.link)?.trim() || null,
        language:
          textOf((feed as { language?: unknown }).language)
            ?.trim()
            .slice(0, LANGUAGE_MAX) || null,
        ttlMinutes: ttlOf((feed as { ttl?: unknown }).ttl),
        items: (feed.items as ParserItem[]).map(toRawItem),
      },
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n").slice(0, 3).join("; ") : String(error);
    return { ok: false, message: `not a readable RSS, RDF or Atom feed: ${detail}` };
  }
}
