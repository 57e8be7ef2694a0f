import { DomUtils, parseDocument } from "htmlparser2";

/** What a test reads off one feed document: item ids in order and the feed-level links by rel. */
export type FeedPage = { ids: string[]; titles: string[]; links: Record<string, string> };

/** Reads a served RSS, Atom or JSON Feed document with an XML parser (or JSON.parse). */
export function readFeedPage(format: "rss" | "atom" | "json", body: string): FeedPage {
  if (format === "json") {
    const feed = JSON.parse(body) as { items: { id: string; title: string }[]; feed_url: string; next_url?: string };
    return {
      ids: feed.items.map((item) => item.id),
      titles: feed.items.map((item) => item.title),
      // JSON Feed names the feed by `feed_url`; only `next_url` moves between pages.
      links: { feed: feed.feed_url, ...(feed.next_url === undefined ? {} : { next: feed.next_url }) },
    };
  }
  const document = parseDocument(body, { xmlMode: true });
  const [itemTag, idTag, linkTag] = format === "rss" ? ["item", "guid", "atom:link"] : ["entry", "id", "link"];
  const items = DomUtils.getElementsByTagName(itemTag, document);
  const links: Record<string, string> = {};
  for (const link of DomUtils.getElementsByTagName(linkTag, document)) {
    // Only the feed's own links, not those of its entries.
    const parent = DomUtils.getParent(link);
    if (parent === null || !("name" in parent) || parent.name !== (format === "rss" ? "channel" : "feed")) continue;
    const rel = link.attribs.rel ?? "alternate";
    if (link.attribs.href !== undefined) links[rel] = link.attribs.href;
  }
  const text = (parent: (typeof items)[number], tag: string) =>
    DomUtils.textContent(DomUtils.getElementsByTagName(tag, parent.children, false)[0] ?? []);
  return { ids: items.map((item) => text(item, idTag)), titles: items.map((item) => text(item, "title")), links };
}

/** Follows `rel` links from `path` until there is none, returning every page read. */
export async function followPages(
  get: (path: string) => Response | Promise<Response>,
  format: "rss" | "atom" | "json",
  path: string,
  rel: "next" | "previous" = "next",
  maxPages = 50,
): Promise<FeedPage[]> {
  const pages: FeedPage[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    if (pages.length >= maxPages) throw new Error(`more than ${maxPages} pages from ${path}`);
    const response = await get(next);
    if (response.status !== 200) throw new Error(`${next}: status ${response.status}`);
    const page = readFeedPage(format, await response.text());
    pages.push(page);
    next = page.links[rel];
  }
  return pages;
}

/** XML-invalid control characters, raw or as JSON writes them (`\u0001`). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|\\u000[0-8bce]|\\u001[0-9a-f]/i;
