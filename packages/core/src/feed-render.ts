import { Feed } from "feed";
import { escapeHtml, removeXmlInvalidChars } from "./text";

export const FEED_FORMATS = ["rss", "atom", "json"] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

export type FeedCategory = { term: string; label: string };

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
  authorName: string | null;
  categories: FeedCategory[];
  /** Extra machine-readable fields, carried in JSON Feed as the `_eventwire` extension. */
  extension: Record<string, string | number | boolean | null>;
};

export type FeedDocument = {
  id: string;
  title: string;
  description: string;
  language: string;
  homeUrl: string;
  selfUrls: Record<FeedFormat, string>;
  updatedAt: Date;
  entries: FeedEntry[];
};

// Atom writes category labels as attributes, and the generator escapes only "&" there.
function attributeSafe(text: string): string {
  return removeXmlInvalidChars(text).replace(/[<>"]/g, "");
}

function renderJsonFeed(doc: FeedDocument): string {
  // JSON Feed 1.1 (https://jsonfeed.org/version/1.1). The generator library still writes 1.0
  // (singular `author`, no `language`), so this format is built as a plain object.
  const feed = {
    version: "https://jsonfeed.org/version/1.1",
    title: doc.title,
    home_page_url: doc.homeUrl,
    feed_url: doc.selfUrls.json,
    description: doc.description,
    language: doc.language,
    items: doc.entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      title: entry.title,
      content_text: entry.summary,
      date_published: entry.publishedAt,
      date_modified: entry.updatedAt,
      ...(entry.authorName ? { authors: [{ name: entry.authorName }] } : {}),
      tags: entry.categories.map((category) => category.label),
      _eventwire: entry.extension,
    })),
  };
  // "<" escaped as \u003c: the parsed text is unchanged, and the body stays inert even if some
  // client renders it as HTML.
  return JSON.stringify(feed).replace(/</g, "\\u003c");
}

function buildXmlFeed(doc: FeedDocument): Feed {
  const feed = new Feed({
    id: doc.id,
    title: removeXmlInvalidChars(doc.title),
    description: removeXmlInvalidChars(doc.description),
    link: doc.homeUrl,
    language: doc.language,
    updated: doc.updatedAt,
    generator: "eventwire",
    feedLinks: { rss: doc.selfUrls.rss, atom: doc.selfUrls.atom, json: doc.selfUrls.json },
  });
  for (const entry of doc.entries) {
    feed.addItem({
      id: entry.id,
      guid: entry.id,
      link: entry.url,
      // Atom marks titles and summaries as HTML, and readers treat RSS ones as HTML too: text
      // from a source must be escaped so its markup shows as text, never runs.
      title: escapeHtml(removeXmlInvalidChars(entry.title)),
      description: escapeHtml(removeXmlInvalidChars(entry.summary)),
      date: new Date(entry.updatedAt),
      published: new Date(entry.publishedAt),
      ...(entry.authorName ? { author: [{ name: removeXmlInvalidChars(entry.authorName) }] } : {}),
      category: entry.categories.map((category) => ({
        name: attributeSafe(category.label),
        term: attributeSafe(category.term),
      })),
    });
  }
  return feed;
}

/** Renders a feed document as RSS 2.0, Atom 1.0 or JSON Feed 1.1. */
export function renderFeed(format: FeedFormat, doc: FeedDocument): string {
  if (format === "json") return renderJsonFeed(doc);
  const feed = buildXmlFeed(doc);
  return format === "rss" ? feed.rss2() : feed.atom1();
}
