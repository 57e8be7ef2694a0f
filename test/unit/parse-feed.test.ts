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
