import { retryAfterSeconds } from "@eventwire/core";
import {
  decodeBody,
  describeFetchError,
  detectCharset,
  extractMainText,
  MAX_PAGE_ELEMENTS,
  parseFeed,
  parseMaxAge,
} from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../support/fixtures";

const ascii = (text: string) => new TextEncoder().encode(text);

describe("detectCharset", () => {
  it("prefers the Content-Type charset", () => {
    expect(detectCharset("application/rss+xml; charset=Windows-1251", ascii('<?xml version="1.0" encoding="utf-8"?>'))).toBe(
      "windows-1251",
    );
  });
  it("reads the XML declaration", () => {
    expect(detectCharset("text/xml", ascii("<?xml version='1.0' encoding='ISO-8859-1'?><rss/>"))).toBe("iso-8859-1");
  });
  it("reads a byte-order mark", () => {
    expect(detectCharset(null, new Uint8Array([0xff, 0xfe, 0x3c, 0x00]))).toBe("utf-16le");
  });
  it("defaults to UTF-8", () => {
    expect(detectCharset(null, ascii("<rss/>"))).toBe("utf-8");
  });
});

describe("decodeBody", () => {
  const realWorld = (name: string) => fixtureBytes(`feeds/real-world/${name}`);
  const titles = async (text: string) => {
    const parsed = await parseFeed(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return [parsed.feed.title, ...parsed.feed.items.map((item) => item.title)];
  };

  it("detects Latin-1 that no header or declaration names", async () => {
    const decoded = decodeBody("application/rss+xml", realWorld("undeclared-latin1.xml"));
    expect(decoded).toMatchObject({ detected: true, mixed: false });
    expect(await titles(decoded.text)).toEqual([
      "Le Fil Sans Déclaration",
      "Réunion à Genève : les pourparlers reprennent, déjà très attendus",
    ]);
  });

  it("reads the stray Windows-1252 byte of a feed declared UTF-8 without breaking its UTF-8 characters", () => {
    const decoded = decodeBody("application/rss+xml; charset=utf-8", realWorld("utf8-with-cp1252.xml"));
    expect(decoded).toMatchObject({ detected: true, mixed: true });
    expect(decoded.text).toContain("Minister: “we won’t wait” — talks in Zürich");
    expect(decoded.text).toContain("She said it didn’t matter.");
    expect(decoded.text).not.toContain("\uFFFD");
  });

  it("reads a charset named in single quotes, and GB2312 as its superset GB18030", async () => {
    const decoded = decodeBody("application/rss+xml; charset='gb2312'", realWorld("gb2312.xml"));
    expect(decoded).toMatchObject({ charset: "gb18030", detected: false });
    expect(await titles(decoded.text)).toEqual(["每日新闻", "叙利亚局势最新报道"]);
  });

  it("reads Windows-1252 as Windows-1252, its curly quotes included, when ISO-8859-1 is declared", () => {
    const bytes = Uint8Array.from([...ascii("<rss><t>"), 0x93, 0x61, 0x94, 0x20, 0xe9, ...ascii("</t></rss>")]);
    expect(decodeBody("text/xml; charset=ISO-8859-1", bytes)).toMatchObject({
      text: "<rss><t>“a” é</t></rss>",
      charset: "windows-1252",
    });
  });

  it("reads UTF-16 and UTF-32 documents by their first bytes when they have no byte-order mark", () => {
    const doc = '<?xml version="1.0"?><rss version="2.0"/>';
    expect(decodeBody(null, Buffer.from(doc, "utf16le"))).toMatchObject({ text: doc, charset: "utf-16le" });
    const utf32 = Buffer.alloc(doc.length * 4);
    for (const [i, char] of [...doc].entries()) utf32.writeUInt32BE(char.charCodeAt(0), i * 4);
    expect(decodeBody(null, utf32)).toMatchObject({ text: doc, charset: "utf-32be" });
  });
});

describe("describeFetchError", () => {
  const withCause = (code: string) =>
    Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) });
  it.each([
    ["ENOTFOUND", "could not resolve host feeds.example"],
    ["ECONNREFUSED", "connection refused by feeds.example"],
    ["ECONNRESET", "connection to feeds.example was reset"],
    ["UND_ERR_CONNECT_TIMEOUT", "connecting to feeds.example timed out"],
  ])("names %s in words", (code, words) => {
    expect(describeFetchError(withCause(code), "https://feeds.example/rss", 1000)).toContain(words);
  });
  it("names a timeout with its limit", () => {
    const error = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(describeFetchError(error, "https://feeds.example/rss", 2500)).toBe(
      "no complete response from feeds.example within 2.5 s",
    );
  });
});

describe("retryAfterSeconds", () => {
  const now = new Date("2026-05-04T10:00:00Z");
  it.each([
    ["120", 120],
    [" 0 ", 0],
    ["Mon, 04 May 2026 11:00:00 GMT", 3600],
    ["Mon, 04 May 2026 09:00:00 GMT", 0],
    ["soon", null],
    ["", null],
    [null, null],
  ])("reads %j as %j seconds", (header, seconds) => {
    expect(retryAfterSeconds(header, now)).toBe(seconds);
  });
});

describe("parseMaxAge", () => {
  it.each([
    ["public, max-age=600", 600],
    ["max-age=0, must-revalidate", 0],
    ['private, max-age="90"', 90],
    ["s-maxage=600", null],
    ["no-cache", null],
    [null, null],
  ])("reads %j as %j", (header, seconds) => {
    expect(parseMaxAge(header)).toBe(seconds);
  });
});

describe("extractMainText", () => {
  it("keeps the article's paragraphs and leaves navigation and footer out", () => {
    const paragraphs = Array.from(
      { length: 5 },
      (_, n) =>
        `<p>Paragraph ${n}: residents of the town returned to their homes after the fighting ended, local officials said, and schools are expected to reopen next week.</p>`,
    ).join("");
    const html = `<html><head><title>T</title></head><body><nav><a href="/">Home</a><a href="/x">Menu item</a></nav><article><h1>Residents return</h1>${paragraphs}</article><footer>All rights reserved</footer></body></html>`;
    const text = extractMainText(html, "https://news.example/a");
    expect(text).toContain("Paragraph 0: residents of the town");
    expect(text).toContain("Paragraph 4:");
    expect(text).not.toContain("All rights reserved");
    expect(text).not.toContain("Menu item");
  });

  it("refuses to parse a page with more elements than it reads, naming the count", () => {
    const html = `<html><body>${"<p>x</p>".repeat(MAX_PAGE_ELEMENTS)}</body></html>`;
    expect(() => extractMainText(html, "https://news.example/huge")).toThrow(
      `it has ${MAX_PAGE_ELEMENTS + 2} elements, more than the ${MAX_PAGE_ELEMENTS} read`,
    );
  });

  it("finds nothing in a page without text", () => {
    expect(extractMainText("<html><body></body></html>", "https://news.example/b")).toBeNull();
  });

  it("returns text only, never markup or script", () => {
    const body = Array.from(
      { length: 4 },
      () =>
        "<p>A long enough paragraph about the talks in Geneva, which resumed on Monday with both delegations present in the same room.</p>",
    ).join("");
    const text = extractMainText(
      `<html><body><article>${body}<script>alert(1)</script><p onclick="x()">Clicked <b>bold</b></p></article></body></html>`,
      "https://news.example/c",
    );
    expect(text).not.toMatch(/<|alert\(1\)/);
  });
});
