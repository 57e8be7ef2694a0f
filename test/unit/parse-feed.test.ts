import { normalizeFeedItem } from "@eventwire/core";
import { parseFeed } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { fixture } from "../support/fixtures";

async function parsed(name: string) {
  const result = await parseFeed(fixture(`feeds/${name}`));
  if (!result.ok) throw new Error(result.message);
  return result.feed;
}

describe("parseFeed", () => {
  it("reads RSS 2.0 items with their description and content:encoded", async () => {
    const feed = await parsed("rss2.xml");
    expect(feed).toMatchObject({ title: "Fixture Wire", link: "https://fixture-wire.example/", language: "en-gb" });
    expect(feed.items).toHaveLength(3);
    expect(feed.items[0]).toMatchObject({
      // Titles come as HTML: the plain-text title escaped, so "&" reads as written.
      title: "Checkpoint attack &amp; curfew in eastern Syrian town",
      guid: "fixture-wire-0001",
      author: "Desk Reporter",
    });
    expect(feed.items[0]?.summaryHtml).toContain("Gunmen fired");
    expect(feed.items[0]?.contentHtml).toContain("Shops stayed shut");
  });

  it("reads Atom entries, their ids, dates and HTML summaries", async () => {
    const feed = await parsed("atom.xml");
    expect(feed.title).toBe("Fixture Monitor");
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toMatchObject({
      guid: "tag:fixture-monitor.example,2026:entry-1",
      link: "https://fixture-monitor.example/reports/airstrikes-desert",
      date: "2026-05-04T06:15:00.000Z",
      author: "Monitor Staff",
    });
    expect(feed.items[0]?.summaryHtml).toBe("<p>Jets struck caves used by militant cells.</p>");
    expect(feed.items[1]?.date).toBe("2026-05-03T15:00:00.000Z");
  });

  it("reads RDF (RSS 1.0) items with dc:date", async () => {
    const feed = await parsed("rdf.xml");
    expect(feed.items.map((item) => item.title)).toEqual([
      "Council meets on water shortages in Hasakah",
      "Schools reopen after winter break",
    ]);
    expect(feed.items[0]?.date).toBe("2026-05-02T12:00:00.000Z");
  });

  it("keeps an Atom feed whose one entry has an unreadable date, dropping only that date", async () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
      <entry><title>Bad date</title><id>a</id><link href="https://x.example/a"/><published>sometime soon</published><updated>later</updated></entry>
      <entry><title>Good date</title><id>b</id><link href="https://x.example/b"/><published>2026-05-01T10:00:00Z</published></entry></feed>`;
    const result = await parseFeed(atom);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.feed.items.map((item) => [item.title, item.date])).toEqual([
      ["Bad date", undefined],
      ["Good date", "2026-05-01T10:00:00.000Z"],
    ]);
  });

  it("cleans and bounds what the feed says about itself", async () => {
    const rss = `<rss version="2.0"><channel><title>&lt;script&gt;x&lt;/script&gt;News &amp;amp; &lt;b&gt;Views&lt;/b&gt; ${"long ".repeat(100)}</title><language>${"x".repeat(50)}</language></channel></rss>`;
    const result = await parseFeed(rss);
    if (!result.ok) throw new Error(result.message);
    expect(result.feed.title?.startsWith("News & Views long")).toBe(true);
    expect(result.feed.title?.length).toBeLessThanOrEqual(200);
    expect(result.feed.language).toHaveLength(20);
  });

  it.each([
    ["malformed XML", fixture("feeds/malformed.xml"), "not a readable RSS, RDF or Atom feed"],
    ["an HTML page", "<!DOCTYPE html><html><body>Hello</body></html>", "HTML page, not a feed"],
    ["an empty body", "   ", "empty"],
    ["XML that is no feed", '<?xml version="1.0"?><note><to>x</to></note>', "not a readable RSS, RDF or Atom feed"],
  ])("refuses %s with a clear message", async (_label, body, message) => {
    const result = await parseFeed(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("reads the RSS <ttl> in minutes, ignoring one that is not a positive whole number", async () => {
    const doc = (ttl: string) =>
      `<rss version="2.0"><channel><title>T</title>${ttl}<item><title>A</title><link>https://t.example/a</link></item></channel></rss>`;
    const read = async (ttl: string) => {
      const result = await parseFeed(doc(ttl));
      return result.ok ? result.feed.ttlMinutes : "failed";
    };
    expect(await read("<ttl>60</ttl>")).toBe(60);
    expect(await read("<ttl> 15 </ttl>")).toBe(15);
    expect(await read("<ttl>-5</ttl>")).toBeNull();
    expect(await read("<ttl>soon</ttl>")).toBeNull();
    expect(await read("")).toBeNull();
  });

  it.each(["hostile/billion-laughs.xml", "hostile/xxe.xml"])("refuses %s, which declares its own entities", async (name) => {
    const result = await parseFeed(fixture(`feeds/${name}`));
    expect(result).toEqual({
      ok: false,
      message: "the document declares its own XML entities (<!ENTITY> in its DOCTYPE), which are never expanded",
    });
  });

  it("refuses an undeclared entity reference as unreadable XML rather than resolving it", async () => {
    // The same XXE document with its DOCTYPE removed: sax knows no such entity.
    const body = fixture("feeds/hostile/xxe.xml").replace(/<!DOCTYPE[\s\S]*?\]>/, "");
    const result = await parseFeed(body);
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/^not a readable RSS, RDF or Atom feed: Invalid character entity/),
    });
  });

  it("accepts a DOCTYPE that declares no entities (RSS 0.91's)", async () => {
    const body = `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>Old</title><link>https://old.example/</link><description>d</description><item><title>A</title><link>https://old.example/a</link></item></channel></rss>`;
    const result = await parseFeed(body);
    expect(result.ok && result.feed.items).toHaveLength(1);
  });
});

/** A fixture of test/fixtures/feeds/real-world read as ingestion reads it: parse, then normalise each item. */
async function ingested(name: string, url = "https://feeds.example/feed.xml") {
  const result = await parseFeed(fixture(`feeds/real-world/${name}`), url);
  if (!result.ok) throw new Error(result.message);
  const context = {
    sourceId: "real-world",
    sourceTitle: result.feed.title,
    baseUrl: url,
    feedLanguage: result.feed.language,
    fetchedAt: new Date("2026-05-06T00:00:00Z"),
    theme: "isis-syria",
  };
  return {
    feed: result.feed,
    articles: result.feed.items.map((item) => {
      const normalized = normalizeFeedItem(item, context);
      if (!normalized.ok) throw new Error(normalized.reason);
      return normalized.article;
    }),
  };
}

describe("parseFeed on real-world feeds", () => {
  it("dates items in named zones: the European ones, Etc/GMT and the North American generic names", async () => {
    const { articles } = await ingested("named-zones.xml");
    expect(Object.fromEntries(articles.map((article) => [article.title.replace("Dated ", ""), article.publishedAt]))).toEqual({
      CEST: "2026-05-05T02:00:00.000Z",
      CET: "2026-05-05T03:00:00.000Z",
      BST: "2026-05-05T03:00:00.000Z",
      MET: "2026-05-05T03:00:00.000Z",
      MEST: "2026-05-05T02:00:00.000Z",
      "Etc/GMT": "2026-05-05T04:00:00.000Z",
      AT: "2026-05-05T08:00:00.000Z",
      ET: "2026-05-05T09:00:00.000Z",
      CT: "2026-05-05T10:00:00.000Z",
      MT: "2026-05-05T11:00:00.000Z",
      PT: "2026-05-05T12:00:00.000Z",
    });
    expect(articles.every((article) => !article.dateInferred)).toBe(true);
  });

  it("reads an <rss> element without a version as RSS 2.0", async () => {
    const { feed, articles } = await ingested("rss-no-version.xml");
    expect(feed.title).toBe("Versionless Wire");
    expect(articles.map((article) => [article.title, article.url])).toEqual([
      ["First story without a version", "https://versionless.example/1"],
      ["Second story without a version", "https://versionless.example/2"],
    ]);
  });

  it("reads Windows-1252 character references as the characters they were meant to be", async () => {
    const { articles } = await ingested("cp1252-references.xml");
    expect(articles[0]?.title).toBe("Don’t wait, says envoy – talks “close”");
    expect(articles[0]?.summary).toBe("It’s the envoy’s third visit…");
  });

  it("keeps the words after a self-closed <iframe/>, <script/> or <object/> in content", async () => {
    const { articles } = await ingested("self-closed-embeds.xml");
    expect(articles[0]?.text).toBe(
      "Before the video.\n\nAfter the iframe, the convoy crossed.\n\nAfter the script, aid was unloaded.\n\nAfter the object, the border closed.",
    );
  });

  it("reads Atom xhtml and html titles, and inline markup in an RSS title, in order", async () => {
    const atom = await ingested("atom-xhtml-titles.xml");
    expect(atom.articles.map((article) => article.title)).toEqual(["Report: markets fall", "Report: oil rises"]);
    const rss = await ingested("rss-title-markup.xml");
    expect(rss.articles[0]?.title).toBe("Report: markets fall");
  });

  it("resolves links against the xml:base in scope, feed-level, entry-level relative and absolute", async () => {
    const { feed, articles } = await ingested("xml-base.xml");
    expect(feed.link).toBe("https://base.example/");
    expect(articles.map((article) => article.url)).toEqual([
      "https://base.example/news/2026/05/ceasefire",
      "https://base.example/news/syria/raqqa-water?id=7",
      "https://other.example/briefs/idlib",
    ]);
  });

  it("resolves links without any xml:base against the feed's own URL, not the channel link", async () => {
    const body = `<rss version="2.0"><channel><title>T</title><link>https://site.example/</link>
      <item><title>Relative</title><link>/stories/1</link></item></channel></rss>`;
    const result = await parseFeed(body, "https://feeds.example/wire/rss.xml");
    expect(result.ok && result.feed.items[0]?.link).toBe("https://feeds.example/stories/1");
  });

  it("keeps literal angle brackets of a plain-text title as words", async () => {
    const { feed, articles } = await ingested("text-title-brackets.xml");
    expect(feed.title).toBe("Tags <explained>");
    expect(articles.map((article) => article.title)).toEqual([
      "History of the <blink> tag",
      "Why 3 < 5 && 7 > 2 in <script> blocks",
    ]);
  });

  it('never takes a GUID marked isPermaLink="false" as the article\'s link', async () => {
    const { articles } = await ingested("guid-not-permalink.xml");
    expect(articles[0]).toMatchObject({ url: null, guid: "https://cms.opaque.example/internal/item/4412" });
    expect(articles[1]).toMatchObject({ url: "https://opaque.example/stories/permalink" });
  });

  it("gives no date to items whose dates are garbage", async () => {
    const { articles } = await ingested("garbage-dates.xml");
    expect(articles).toHaveLength(4);
    for (const article of articles) {
      expect(article, article.title).toMatchObject({ dateInferred: true, publishedAt: "2026-05-06T00:00:00.000Z" });
    }
  });

  it("dates items by dcterms:issued, created or modified, under whatever prefix the feed gives that namespace", async () => {
    const { articles } = await ingested("dcterms-dates.xml");
    expect(articles.map((article) => [article.title, article.publishedAt, article.dateInferred])).toEqual([
      ["Issued only", "2026-05-01T08:00:00.000Z", false],
      ["Created only", "2026-05-02T08:00:00.000Z", false],
      ["Modified only", "2026-05-03T08:00:00.000Z", false],
    ]);
  });

  it("dates Atom 0.3 entries by <issued>, else <modified>", async () => {
    const { articles } = await ingested("atom03-dates.xml");
    expect(articles.map((article) => [article.url, article.publishedAt])).toEqual([
      ["https://atom03.example/1", "2026-05-01T08:00:00.000Z"],
      ["https://atom03.example/2", "2026-05-03T10:00:00.000Z"],
    ]);
  });

  it("reads timestamps without a zone as UTC, whatever the machine's zone", async () => {
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Kolkata";
    try {
      const { articles } = await ingested("zoneless-dates.xml");
      expect(articles.map((article) => article.publishedAt)).toEqual(["2026-05-04T04:00:00.000Z", "2026-05-04T03:30:00.000Z"]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("refuses an <rss> document with no <channel> in words", async () => {
    expect(await parseFeed(fixture("feeds/real-world/no-channel.xml"))).toEqual({
      ok: false,
      message: "the <rss> document has no <channel> element, so it describes no feed",
    });
  });
});

describe("parseFeed on hostile documents", () => {
  const rss = (items: string) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>https://hostile.example/</link>${items}</channel></rss>`;

  // Each of these took minutes with a pattern that scanned to the end of the document once per
  // opening; they must end within the test's time limit.
  it("ends promptly on thousands of CDATA sections and comments left open", async () => {
    const result = await parseFeed(
      rss(`<item><title>a</title><description>${"<![CDATA[<!--".repeat(40_000)}</description></item>`),
    );
    expect(result.ok).toBe(false);
  });

  it("ends promptly on an RSS title of thousands of unclosed <br", async () => {
    const result = await parseFeed(
      rss(`<item><title>${"&lt;br".repeat(30_000)} end</title><link>https://hostile.example/a</link></item>`),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.feed.items).toHaveLength(1);
  });

  it("ends promptly on thousands of comments before a root that is not HTML", async () => {
    const result = await parseFeed(`${"<!---->".repeat(5_000)}<notafeed/>`);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("the root element is <notafeed>") });
  });

  it("keeps an item whose summary nests markup 10,000 deep, with its words", async () => {
    const nested = `${"<b>".repeat(10_000)}deep words${"</b>".repeat(10_000)}`;
    const result = await parseFeed(
      rss(
        `<item><title>Nested</title><link>https://hostile.example/n</link><description><![CDATA[x]]></description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">${nested}</content:encoded></item><item><title>Next</title><link>https://hostile.example/m</link></item>`,
      ),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.feed.items.map((item) => item.title)).toEqual(["Nested", "Next"]);
    expect(JSON.stringify(result.feed.items[0])).toContain("deep words");
  });
});
