import { type FeedDocument, type FeedEntry, renderFeed } from "@eventwire/core";
import { DomUtils, parseDocument } from "htmlparser2";
import Parser from "rss-parser";
import { describe, expect, it } from "vitest";
import { CONTROL_CHARACTERS, readFeedPage } from "../support/feed-pages";

function entry(index: number, overrides: Partial<FeedEntry> = {}): FeedEntry {
  return {
    id: `urn:eventwire:article:${index}`,
    url: `https://news.example/${index}`,
    title: `Story ${index}`,
    summary: `Summary ${index}`,
    publishedAt: `2026-05-0${index}T10:00:00.000Z`,
    updatedAt: `2026-05-0${index}T10:05:00.000Z`,
    datedBy: "published",
    authorName: "Desk",
    categories: [{ term: "isis-syria", label: "ISIS and Syria", scheme: "urn:eventwire:theme" }],
    related: [],
    extension: { article_id: String(index) },
    ...overrides,
  };
}

function doc(entries: FeedEntry[], pages: FeedDocument["pages"] = {}): FeedDocument {
  return {
    id: "urn:eventwire:feed:isis-syria",
    title: "ISIS and Syria",
    description: "Test feed",
    language: "en",
    homeUrl: "https://eventwire.example/",
    selfUrls: {
      rss: "https://eventwire.example/feeds/isis-syria.rss",
      atom: "https://eventwire.example/feeds/isis-syria.atom",
      json: "https://eventwire.example/feeds/isis-syria.json",
    },
    pages,
    updatedAt: new Date("2026-05-04T12:00:00Z"),
    entries,
  };
}

const hostile = entry(1, {
  title: '<script>alert("t")</script> & more',
  summary: "<img src=x onerror=alert(1)> ]]> end",
  authorName: "A <b>bold</b> desk",
  categories: [{ term: 'x"<y>', label: 'Label "quoted" <tag>', scheme: "urn:eventwire:theme" }],
});

describe("renderFeed", () => {
  it.each(["rss", "atom"] as const)("writes %s that a parser reads back item for item", async (format) => {
    const xml = renderFeed(format, doc([entry(1), entry(2), entry(3)]));
    const feed = await new Parser().parseString(xml);
    expect(feed.items.map((item) => item.title)).toEqual(["Story 1", "Story 2", "Story 3"]);
    expect(feed.items[0]?.link).toBe("https://news.example/1");
  });

  it("writes JSON Feed 1.1 with plain-text content and the extension", () => {
    const json = JSON.parse(renderFeed("json", doc([entry(1)])));
    expect(json.version).toBe("https://jsonfeed.org/version/1.1");
    expect(json.feed_url).toBe("https://eventwire.example/feeds/isis-syria.json");
    expect(json.items[0]).toMatchObject({
      id: "urn:eventwire:article:1",
      content_text: "Summary 1",
      date_published: "2026-05-01T10:00:00.000Z",
      authors: [{ name: "Desk" }],
      _eventwire: { article_id: "1" },
    });
    expect(json.items[0].content_html).toBeUndefined();
  });

  const pages = {
    first: "https://eventwire.example/feeds/isis-syria.rss",
    previous: "https://eventwire.example/feeds/isis-syria.rss?cursor=p.q&x=1",
    next: "https://eventwire.example/feeds/isis-syria.rss?cursor=n.m",
  };

  it.each(["rss", "atom"] as const)("writes RFC 5005 paging links at feed level in %s", async (format) => {
    const xml = renderFeed(format, doc([entry(1)], pages));
    expect(readFeedPage(format, xml).links).toMatchObject(pages);
    // The & of a query string is escaped, and the document still parses.
    expect(xml).toContain("cursor=p.q&amp;x=1");
    expect((await new Parser().parseString(xml)).items).toHaveLength(1);
    expect(readFeedPage(format, renderFeed(format, doc([entry(1)]))).links).not.toHaveProperty("next");
  });

  it("writes next_url in JSON Feed, and no other paging link", () => {
    const json = JSON.parse(renderFeed("json", doc([entry(1)], pages)));
    expect(json.next_url).toBe(pages.next);
    expect(JSON.parse(renderFeed("json", doc([entry(1)]))).next_url).toBeUndefined();
  });

  it.each(["rss", "atom", "json"] as const)("lists related links after the summary in %s", (format) => {
    const related = [{ label: "Event", title: "Dam taken", url: "https://eventwire.example/events/e1" }];
    const body = renderFeed(format, doc([entry(1, { related })]));
    const html = '<p>Summary 1</p><ul><li>Event: <a href="https://eventwire.example/events/e1">Dam taken</a></li></ul>';
    if (format === "json") {
      const item = JSON.parse(body).items[0];
      expect(item.content_html).toBe(html);
      expect(item.content_text).toBe("Summary 1\nEvent: Dam taken <https://eventwire.example/events/e1>");
    } else {
      expect(body).toContain(html);
    }
  });

  it("is deterministic for the same document", () => {
    expect(renderFeed("rss", doc([entry(1)]))).toBe(renderFeed("rss", doc([entry(1)])));
  });

  describe("dates, authors and categories", () => {
    /** The first item's (or entry's) child elements, by tag, as text; attributes of its categories. */
    function firstItem(xml: string) {
      const document = parseDocument(xml, { xmlMode: true });
      const item = DomUtils.findOne((node) => node.name === "item" || node.name === "entry", document.children);
      if (item === null) throw new Error("no item in the document");
      const own = (tag: string) => DomUtils.getElementsByTagName(tag, item.children, false);
      return {
        text: (tag: string) => own(tag).map((node) => DomUtils.textContent(node).trim()),
        categories: own("category").map((node) => ({ ...node.attribs, text: DomUtils.textContent(node) })),
        root: DomUtils.findOne((node) => node.name === "rss" || node.name === "feed", document.children, false),
      };
    }

    it("RSS dates an article by its publication and an event by its last change; Atom and JSON Feed carry both", () => {
      const article = entry(1, { publishedAt: "2026-05-01T10:00:00.000Z", updatedAt: "2026-05-01T10:30:00.000Z" });
      const event = entry(2, {
        publishedAt: "2026-05-01T08:00:00.000Z",
        updatedAt: "2026-05-02T09:00:00.000Z",
        datedBy: "updated",
      });
      expect(firstItem(renderFeed("rss", doc([article]))).text("pubDate")).toEqual(["Fri, 01 May 2026 10:00:00 GMT"]);
      expect(firstItem(renderFeed("rss", doc([event]))).text("pubDate")).toEqual(["Sat, 02 May 2026 09:00:00 GMT"]);
      const atom = firstItem(renderFeed("atom", doc([event])));
      expect(atom.text("published")).toEqual(["2026-05-01T08:00:00.000Z"]);
      expect(atom.text("updated")).toEqual(["2026-05-02T09:00:00.000Z"]);
      expect(JSON.parse(renderFeed("json", doc([event]))).items[0]).toMatchObject({
        date_published: "2026-05-01T08:00:00.000Z",
        date_modified: "2026-05-02T09:00:00.000Z",
      });
    });

    it("RSS names an author in dc:creator, never in <author> (an email address), and declares Dublin Core", async () => {
      const xml = renderFeed("rss", doc([entry(1, { authorName: "Levant Wire & Co" })]));
      const item = firstItem(xml);
      expect(item.text("author")).toEqual([]);
      expect(item.text("dc:creator")).toEqual(["Levant Wire & Co"]);
      expect(item.root?.attribs["xmlns:dc"]).toBe("http://purl.org/dc/elements/1.1/");
      expect((await new Parser().parseString(xml)).items[0]?.creator).toBe("Levant Wire & Co");
      // No author, no element.
      expect(firstItem(renderFeed("rss", doc([entry(1, { authorName: null })]))).text("dc:creator")).toEqual([]);
    });

    it("Atom gives every entry an author: its own, else the feed's (eventwire)", () => {
      const xml = renderFeed("atom", doc([entry(1, { authorName: null }), entry(2, { authorName: "Desk" })]));
      const document = parseDocument(xml, { xmlMode: true });
      const feed = DomUtils.findOne((node) => node.name === "feed", document.children, false);
      const feedAuthors = (feed?.children ?? []).filter((node) => "name" in node && node.name === "author");
      expect(feedAuthors.map((node) => DomUtils.textContent(node).trim())).toEqual(["eventwire"]);
      const entries = DomUtils.getElementsByTagName("entry", document);
      expect(entries.map((node) => DomUtils.getElementsByTagName("author", node.children).length)).toEqual([0, 1]);
      expect(JSON.parse(renderFeed("json", doc([entry(1)]))).authors).toEqual([{ name: "eventwire" }]);
    });

    it("writes a category's scheme as RSS domain and Atom scheme, with its label and term", () => {
      const categories = [
        { term: "isis-syria", label: "ISIS and Syria", scheme: "urn:eventwire:theme" },
        { term: "event-e1", label: "Dam taken", scheme: "urn:eventwire:event" },
        { term: "source-s1", label: "Levant Wire", scheme: "urn:eventwire:source" },
      ];
      expect(firstItem(renderFeed("rss", doc([entry(1, { categories })]))).categories).toEqual([
        { domain: "urn:eventwire:theme", text: "ISIS and Syria" },
        { domain: "urn:eventwire:event", text: "Dam taken" },
        { domain: "urn:eventwire:source", text: "Levant Wire" },
      ]);
      expect(firstItem(renderFeed("atom", doc([entry(1, { categories })]))).categories).toEqual(
        categories.map((category) => ({ ...category, text: "" })),
      );
    });
  });

  describe("security", () => {
    it.each(["rss", "atom"] as const)("keeps source markup inert in %s and the XML well-formed", async (format) => {
      const xml = renderFeed(format, doc([hostile]));
      expect(xml).not.toMatch(/<script/i);
      expect(xml).not.toMatch(/<img/i);
      const feed = await new Parser().parseString(xml);
      // What a reader gets after XML decoding is escaped HTML, which shows as text.
      expect(feed.items[0]?.title).toBe("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; more");
      expect(feed.items[0]?.content ?? feed.items[0]?.summary).toContain("&lt;img src=x onerror=alert(1)&gt; ]]&gt; end");
    });

    it.each(["rss", "atom", "json"] as const)("never writes a javascript: or data: link in %s", (format) => {
      const related = [
        { label: "Bad", title: "click <b>me</b>", url: "javascript:alert(1)" },
        { label: "Worse", title: "data", url: "data:text/html,<script>alert(2)</script>" },
      ];
      const body = renderFeed(format, doc([entry(1, { url: "javascript:alert(3)", related })]));
      expect(body).not.toMatch(/javascript:|data:text|<script|<b>/);
      expect(body).toContain("click &lt;b&gt;me&lt;/b&gt;");
    });

    it.each(["rss", "atom", "json"] as const)("drops control characters in %s", (format) => {
      const body = renderFeed(format, doc([entry(1, { title: "A\u0001B\u001fC", summary: "x\u0008y", authorName: "D\u0007" })]));
      expect(body).not.toMatch(CONTROL_CHARACTERS);
      expect(body).toContain("ABC");
    });

    it("keeps the text as text in JSON Feed", () => {
      const json = JSON.parse(renderFeed("json", doc([hostile])));
      expect(json.items[0].title).toBe(hostile.title);
      expect(json.items[0].content_text).toBe(hostile.summary);
    });
  });
});
