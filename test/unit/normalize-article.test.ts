import { type NormalizeContext, normalizeFeedItem } from "@eventwire/core";
import { describe, expect, it } from "vitest";

const context: NormalizeContext = {
  sourceId: "source-1",
  sourceTitle: "Fixture Wire",
  baseUrl: "https://fixture-wire.example/",
  feedLanguage: "en",
  fetchedAt: new Date("2026-05-04T10:00:00Z"),
  theme: "isis-syria",
};

function normalize(item: Parameters<typeof normalizeFeedItem>[0], ctx = context) {
  const result = normalizeFeedItem(item, ctx);
  if (!result.ok) throw new Error(result.reason);
  return result.article;
}

describe("normalizeFeedItem", () => {
  it("builds a clean article from a typical item", () => {
    const article = normalize({
      title: "Checkpoint <b>attack</b>",
      link: "https://fixture-wire.example/a?utm_source=rss",
      guid: "g-1",
      date: "Mon, 04 May 2026 08:30:00 +0200",
      summaryHtml: "<p>Short &amp; sharp.</p>",
      contentHtml: "<p>Long</p><p>text.</p>",
      author: "Desk",
    });
    expect(article).toMatchObject({
      url: "https://fixture-wire.example/a",
      guid: "g-1",
      title: "Checkpoint attack",
      summary: "Short & sharp.",
      text: "Long\n\ntext.",
      author: "Desk",
      language: "en",
      publishedAt: "2026-05-04T06:30:00.000Z",
      dateInferred: false,
      fetchedAt: "2026-05-04T10:00:00.000Z",
      sourceTitle: "Fixture Wire",
      // Not judged yet: the matcher decides theme and event.
      onTheme: false,
      themeScore: null,
      eventId: null,
      explanation: null,
    });
    expect(article.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("gives the same id to the same URL whatever its tracking parameters or GUID", () => {
    const a = normalize({ title: "T", link: "https://x.example/s?utm_source=a", guid: "one" });
    const b = normalize({ title: "T", link: "https://x.example/s?fbclid=z", guid: "two" });
    expect(a.id).toBe(b.id);
  });

  it("uses the GUID, scoped to its source, when there is no link", () => {
    const a = normalize({ title: "T", guid: "same" });
    const b = normalize({ title: "T", guid: "same" }, { ...context, sourceId: "source-2" });
    expect(a.url).toBeNull();
    expect(a.id).not.toBe(b.id);
    expect(normalize({ title: "T", guid: "same" }).id).toBe(a.id);
  });

  it("takes a URL-shaped GUID as the link", () => {
    expect(normalize({ title: "T", guid: "https://x.example/p#x" }).url).toBe("https://x.example/p");
  });

  it("never takes a GUID marked as no permalink for the link, however URL-like", () => {
    const article = normalize({ title: "T", guid: "https://cms.example/item/9", guidIsPermaLink: false });
    expect(article).toMatchObject({ url: null, guid: "https://cms.example/item/9" });
    expect(normalize({ title: "T", guid: "https://x.example/p", guidIsPermaLink: true }).url).toBe("https://x.example/p");
  });

  it("reads dates in named zones and zone-less timestamps as UTC", () => {
    expect(normalize({ title: "T", date: "Mon, 04 May 2026 08:30:00 CEST" }).publishedAt).toBe("2026-05-04T06:30:00.000Z");
    expect(normalize({ title: "T", date: "2026-05-04T08:30:00" }).publishedAt).toBe("2026-05-04T08:30:00.000Z");
  });

  it("resolves relative links against the base", () => {
    expect(normalize({ title: "T", link: "/news/a" }).url).toBe("https://fixture-wire.example/news/a");
  });

  it.each([
    ["missing", undefined],
    ["unreadable", "yesterday-ish"],
    ["garbage that resembles a date", "Sun, Dec x 2012"],
    ["far in the future", "2030-01-01T00:00:00Z"],
    ["before the web", "1970-01-01T00:00:00Z"],
  ])("falls back to the fetch time when the date is %s", (_label, date) => {
    const article = normalize({ title: "T", link: "https://x.example/d", date });
    expect(article.publishedAt).toBe("2026-05-04T10:00:00.000Z");
    expect(article.dateInferred).toBe(true);
  });

  it("keeps a date a few minutes ahead of the fetch (clock drift)", () => {
    expect(normalize({ title: "T", link: "https://x.example/d", date: "2026-05-04T10:05:00Z" }).dateInferred).toBe(false);
  });

  it("makes a title from the text when the item has none", () => {
    expect(normalize({ link: "https://x.example/n", summaryHtml: "<p>Only a body here.</p>" }).title).toBe("Only a body here.");
  });

  it("refuses an item with neither title nor text", () => {
    const result = normalizeFeedItem({ link: "https://x.example/empty", summaryHtml: "<p> </p>" }, context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain("no title and no text");
  });

  it("bounds the stored text", () => {
    const article = normalize({ title: "x".repeat(5_000), link: "https://x.example/big", contentHtml: "word ".repeat(20_000) });
    expect(article.title.length).toBeLessThanOrEqual(400);
    expect(article.text.length).toBeLessThanOrEqual(20_000);
    expect(article.summary.length).toBeLessThanOrEqual(1_000);
  });

  it("gives re-published copies the same content hash", () => {
    const a = normalize({ title: "Same Story", link: "https://a.example/1", contentHtml: "<p>Body</p>" });
    const b = normalize({ title: "same story", link: "https://b.example/2", contentHtml: "Body" });
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.id).not.toBe(b.id);
  });
});
