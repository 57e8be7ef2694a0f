import { Feed } from "feed";
import { escapeHtml, removeXmlInvalidChars } from "./text";
import { isWebUrl } from "./url";

/** The formats every feed is served in; what lists them (URLs, schemas, file names) derives from this. */
export const FEED_FORMATS = ["rss", "atom", "json"] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** One value for each feed format, in FEED_FORMATS' order: a feed's URLs, a schema's fields. */
export function mapFeedFormats<T>(value: (format: FeedFormat) => T): Record<FeedFormat, T> {
  return Object.fromEntries(FEED_FORMATS.map((format) => [format, value(format)])) as Record<FeedFormat, T>;
}

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

/**
 * A category: `term` names it within its `scheme`, a URI naming the kind of category (the theme,
 * the event, the source), which RSS writes as the category's `domain`; readers show `label`.
 */
export type FeedCategory = { term: string; label: string; scheme: string };

/** A link shown in an entry's content, under a label ("Event", "Source", …). */
export type FeedLink = { label: string; title: string; url: string };

/** RFC 5005 paged-feed links of the document being rendered, in its own format. */
export type FeedPageLinks = { first?: string; next?: string; previous?: string };

export type FeedEntry = {
  /** A URI naming the entry for ever (RSS guid, Atom id, JSON Feed id). */
  id: string;
  /** Where a reader opens the entry. */
  url: string;
  title: string;
  /** Plain text; escaped here for the formats that carry HTML. */
  summary: string;
  publishedAt: string;
  updatedAt: string;
  /**
   * Which of the two dates RSS, which has one (`pubDate`), gives the entry: an article is dated
   * by its publication, an event by its last change, so a growing story comes up again.
   */
  datedBy: "published" | "updated";
  authorName: string | null;
  categories: FeedCategory[];
  /** Links listed after the summary in the entry's content (the event, the source, articles). */
  related: FeedLink[];
  /** Extra machine-readable fields, carried in JSON Feed as the `_eventwire` extension. */
  extension: Record<string, string | number | boolean | null>;
};

export type FeedDocument = {
  id: string;
  title: string;
  description: string;
  language: string;
  homeUrl: string;
  /** This document's URL in each format (the same page, cursor included). */
  selfUrls: Record<FeedFormat, string>;
  /** Neighbouring pages in the format being rendered; none for a feed of one page. */
  pages: FeedPageLinks;
  updatedAt: Date;
  entries: FeedEntry[];
};

// Atom writes category labels as attributes, and the generator escapes only "&" there.
function attributeSafe(text: string): string {
  return removeXmlInvalidChars(text).replace(/[<>"]/g, "");
}

// Text that came from a source goes through here on its way into any format.
const clean = removeXmlInvalidChars;

/**
 * Who writes the feeds: eventwire compiles them. Atom needs an author for every entry (RFC 4287),
 * and an entry without its own (an event, an article of unknown author) takes the feed's.
 */
const FEED_AUTHOR = "eventwire";

/** The entry's content as HTML: its summary, then its related links, every piece escaped. */
function entryHtml(entry: FeedEntry): string {
  const summary = escapeHtml(clean(entry.summary));
  if (entry.related.length === 0) return summary;
  const items = entry.related.map((link) => {
    const title = escapeHtml(clean(link.title));
    const target = isWebUrl(link.url) ? `<a href="${escapeHtml(link.url)}">${title}</a>` : title;
    return `<li>${escapeHtml(clean(link.label))}: ${target}</li>`;
  });
  return `<p>${summary}</p><ul>${items.join("")}</ul>`;
}

/** The same content as plain text, for JSON Feed's `content_text`. */
function entryText(entry: FeedEntry): string {
  const lines = entry.related.map((link) => `${link.label}: ${link.title}${isWebUrl(link.url) ? ` <${link.url}>` : ""}`);
  return clean([entry.summary, ...lines].join("\n"));
}

function renderJsonFeed(doc: FeedDocument): string {
  // JSON Feed 1.1 (https://jsonfeed.org/version/1.1). The generator library still writes 1.0
  // (singular `author`, no `language`), so this format is built as a plain object.
  const feed = {
    version: "https://jsonfeed.org/version/1.1",
    title: clean(doc.title),
    home_page_url: doc.homeUrl,
    // The feed's identity: its first page, whichever page this is (next_url carries the cursor).
    feed_url: doc.pages.first ?? doc.selfUrls.json,
    ...(doc.pages.next ? { next_url: doc.pages.next } : {}),
    description: clean(doc.description),
    language: doc.language,
    authors: [{ name: FEED_AUTHOR }],
    items: doc.entries.map((entry) => ({
      id: entry.id,
      ...(isWebUrl(entry.url) ? { url: entry.url } : {}),
      title: clean(entry.title),
      content_text: entryText(entry),
      ...(entry.related.length > 0 ? { content_html: entryHtml(entry) } : {}),
      date_published: entry.publishedAt,
      date_modified: entry.updatedAt,
      ...(entry.authorName ? { authors: [{ name: clean(entry.authorName) }] } : {}),
      tags: entry.categories.map((category) => clean(category.label)),
      _eventwire: Object.fromEntries(
        Object.entries(entry.extension).map(([name, value]) => [name, typeof value === "string" ? clean(value) : value]),
      ),
    })),
  };
  // "<" escaped as \u003c: the parsed text is unchanged, and the body stays inert even if some
  // client renders it as HTML.
  return JSON.stringify(feed).replace(/</g, "\\u003c");
}

function buildXmlFeed(format: "rss" | "atom", doc: FeedDocument): Feed {
  // An RSS channel's title and description are read as HTML by many readers; Atom's are text.
  const text = (value: string) => (format === "rss" ? escapeHtml(clean(value)) : clean(value));
  const feed = new Feed({
    id: doc.id,
    title: text(doc.title),
    description: text(doc.description),
    link: doc.homeUrl,
    language: doc.language,
    updated: doc.updatedAt,
    generator: "eventwire",
    author: { name: FEED_AUTHOR },
    feedLinks: { rss: doc.selfUrls.rss, atom: doc.selfUrls.atom, json: doc.selfUrls.json },
  });
  for (const entry of doc.entries) {
    const author = entry.authorName ? removeXmlInvalidChars(entry.authorName) : null;
    feed.addItem({
      id: entry.id,
      guid: entry.id,
      link: isWebUrl(entry.url) ? entry.url : doc.homeUrl,
      // Atom marks titles and summaries as HTML, and readers treat RSS ones as HTML too: text
      // from a source must be escaped so its markup shows as text, never runs.
      title: escapeHtml(clean(entry.title)),
      description: entryHtml(entry),
      // Atom's `updated`; RSS's `pubDate` unless `published` is given.
      date: new Date(entry.updatedAt),
      ...(format === "atom" || entry.datedBy === "published" ? { published: new Date(entry.publishedAt) } : {}),
      // RSS's <author> is an email address; a name goes in Dublin Core's <dc:creator>.
      ...(author === null
        ? {}
        : format === "atom"
          ? { author: [{ name: author }] }
          : { extensions: [{ name: "dc:creator", objects: { _text: author } }] }),
      category: entry.categories.map((category) => ({
        name: attributeSafe(category.label),
        term: attributeSafe(category.term),
        scheme: attributeSafe(category.scheme),
        domain: attributeSafe(category.scheme),
      })),
    });
  }
  return feed;
}

const PAGE_RELATIONS = ["first", "previous", "next"] as const;

/**
 * Adds the RFC 5005 paging links, which the generator cannot write, after the feed's first link
 * element: an `atom:link` in RSS (next to the self link, which declares the namespace), a `link`
 * in Atom. The generator writes the feed's own links before any entry, and every text before
 * them is escaped, so no source can plant a look-alike element there.
 */
function addPageLinks(format: "rss" | "atom", xml: string, pages: FeedPageLinks): string {
  const element = format === "rss" ? "<atom:link " : "<link ";
  const type = format === "rss" ? "application/rss+xml" : "application/atom+xml";
  const links = PAGE_RELATIONS.flatMap((rel) => {
    const href = pages[rel];
    return href === undefined ? [] : [`${element}rel="${rel}" href="${escapeHtml(href)}" type="${type}"/>`];
  });
  if (links.length === 0) return xml;
  const first = xml.indexOf(element);
  const end = first === -1 ? -1 : xml.indexOf("/>", first);
  if (end === -1) throw new Error(`the ${format} document has no link element to put paging links after`);
  const indent = xml.slice(xml.lastIndexOf("\n", first), first);
  return `${xml.slice(0, end + 2)}${links.map((link) => `${indent}${link}`).join("")}${xml.slice(end + 2)}`;
}

const RSS_ROOT = '<rss version="2.0"';
const DUBLIN_CORE = 'xmlns:dc="http://purl.org/dc/elements/1.1/"';

/** Declares Dublin Core (for `dc:creator`), which the generator declares only beside `content:encoded`. */
function declareDublinCore(xml: string): string {
  if (xml.includes(DUBLIN_CORE)) return xml;
  if (!xml.includes(RSS_ROOT)) throw new Error("the rss document has no <rss> element to declare Dublin Core on");
  return xml.replace(RSS_ROOT, `${RSS_ROOT} ${DUBLIN_CORE}`);
}

/** Renders a feed document as RSS 2.0, Atom 1.0 or JSON Feed 1.1. */
export function renderFeed(format: FeedFormat, doc: FeedDocument): string {
  if (format === "json") return renderJsonFeed(doc);
  const feed = buildXmlFeed(format, doc);
  return addPageLinks(format, format === "rss" ? declareDublinCore(feed.rss2()) : feed.atom1(), doc.pages);
}
