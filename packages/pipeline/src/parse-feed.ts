import { errorMessage, htmlToText, type RawFeedItem, truncateText } from "@eventwire/core";
import Parser from "rss-parser";
import { FEED_DATE_FIELDS, firstLines, normalizeFeedXml } from "./normalize-feed-xml";

/** Bounds on what a feed says about itself. */
const FEED_TITLE_MAX = 200;
const LANGUAGE_MAX = 20;

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

function firstText(item: ParserItem, key: string): string | undefined {
  const values = item[key];
  if (!Array.isArray(values)) return textOf(values);
  for (const value of values) {
    const text = textOf(value)?.trim();
    if (text) return text;
  }
  return undefined;
}

function lastText(item: ParserItem, key: string): string | undefined {
  const values = item[key];
  if (!Array.isArray(values)) return textOf(values);
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const text = textOf(values[i])?.trim();
    if (text) return text;
  }
  return undefined;
}

const DATE_KEYS = FEED_DATE_FIELDS.map((field) => `date:${field}`);

type XmlElement = { $?: Record<string, string | undefined> };

/** An Atom entry's link: the first `alternate` one with an address (the normaliser marked those without `rel`). */
function atomLink(item: ParserItem): string | undefined {
  const links = item.links;
  if (!Array.isArray(links)) return undefined;
  const withHref = (links as XmlElement[]).filter((link) => link.$?.href?.trim());
  const alternate = withHref.find((link) => link.$?.rel === "alternate") ?? withHref[0];
  return alternate?.$?.href?.trim();
}

function guidOf(item: ParserItem): { guid: string | undefined; guidIsPermaLink: boolean | undefined } {
  const guid = (item.guids as unknown[] | undefined)?.[0];
  if (guid === undefined) return { guid: textOf(item.id), guidIsPermaLink: undefined };
  const flag = (guid as XmlElement).$?.isPermaLink?.trim().toLowerCase();
  return { guid: textOf(guid), guidIsPermaLink: flag === undefined ? undefined : flag !== "false" };
}

function rssItemText(item: ParserItem) {
  // rss-parser puts an RSS <description> in `content`; full text is in <content:encoded>,
  // <xhtml:body> or an older <body> or <fullitem>; an RSS <summary> beside a description is
  // the longer text, as feedparser reads it.
  const description = textOf(item.content) ?? firstText(item, "dc:description");
  const summaryHtml =
    description ?? textOf(item.summary) ?? firstText(item, "itunes:summary") ?? firstText(item, "media:description");
  const contentHtml =
    textOf(item["content:encoded"]) ??
    firstText(item, "xhtml:body") ??
    firstText(item, "body") ??
    firstText(item, "fullitem") ??
    (description !== undefined ? textOf(item.summary) : undefined);
  return { summaryHtml, contentHtml };
}

function atomItemText(item: ParserItem) {
  const summaryHtml = textOf(item.summary) ?? firstText(item, "media:description");
  return { summaryHtml, contentHtml: textOf(item.content) };
}

function toRawItem(item: ParserItem, kind: "rss" | "rdf" | "atom"): RawFeedItem {
  // An element given twice: the later value, as feedparser takes it.
  let date: string | undefined;
  for (const field of DATE_KEYS) {
    date = lastText(item, field);
    if (date !== undefined) break;
  }
  const { guid, guidIsPermaLink } = guidOf(item);
  return {
    title: textOf(item.title) ?? firstText(item, "media:title"),
    link: kind === "atom" ? atomLink(item) : textOf(item.link)?.trim() || undefined,
    // An RDF item's rdf:about names it when it has no GUID.
    guid: guid ?? textOf(item["rdf:about"]),
    guidIsPermaLink,
    date,
    ...(kind === "atom" ? atomItemText(item) : rssItemText(item)),
    author: textOf(item.creator) ?? textOf(item.author),
    language: textOf(item.language),
  };
}

function looksLikeHtml(body: string): boolean {
  // Each comment ends at its first "-->" (no backtracking into another way of splitting them).
  return /^\s*(?:<!--(?:(?!-->)[\s\S])*-->\s*)*<(!doctype\s+html|html[\s>])/i.test(body);
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

const ITEM_FIELDS: [string, string, { keepArray: true }][] = [
  ["guid", "guids", { keepArray: true }],
  ["link", "links", { keepArray: true }],
  ...FEED_DATE_FIELDS.map((field): [string, string, { keepArray: true }] => [field, `date:${field}`, { keepArray: true }]),
  ...["dc:description", "xhtml:body", "body", "fullitem", "itunes:summary", "media:title", "media:description"].map(
    (field): [string, string, { keepArray: true }] => [field, field, { keepArray: true }],
  ),
];

/**
 * Parses an RSS 2.0, RSS 0.9x, RDF (RSS 1.0) or Atom (1.0 and 0.3) document; `documentUrl`, the
 * address it came from, is the base of its relative links. Never throws.
 */
export async function parseFeed(body: string, documentUrl: string | null = null): Promise<ParseFeedResult> {
  if (body.trim() === "") return { ok: false, message: "the response body is empty" };
  if (looksLikeHtml(body)) return { ok: false, message: "the URL returned an HTML page, not a feed" };
  if (declaresEntities(body)) {
    return {
      ok: false,
      message: "the document declares its own XML entities (<!ENTITY> in its DOCTYPE), which are never expanded",
    };
  }
  const normalized = normalizeFeedXml(body, documentUrl);
  if (!normalized.ok) return normalized;
  // A parser per document: rss-parser keeps one xml2js parser per instance, and xml2js
  // parser state is not safe to share between documents parsed at the same time.
  // `defaultRSS`: an <rss> element without a version is read as RSS 2.0, as readers do.
  const parser = new Parser({
    defaultRSS: 2,
    customFields: { feed: ["language", "ttl"], item: ITEM_FIELDS as unknown as string[] },
  });
  try {
    const feed = await parser.parseString(normalized.xml);
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
        items: (feed.items as ParserItem[]).map((item) => toRawItem(item, normalized.kind)),
      },
    };
  } catch (error) {
    const detail = firstLines(errorMessage(error));
    return { ok: false, message: `not a readable RSS, RDF or Atom feed: ${detail}` };
  }
}
