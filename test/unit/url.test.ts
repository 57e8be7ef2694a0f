import { canonicalizeUrl } from "@eventwire/core";
import { describe, expect, it } from "vitest";

describe("canonicalizeUrl", () => {
  it.each([
    ["https://Example.COM:443/a/b?b=2&a=1#frag", "https://example.com/a/b?a=1&b=2"],
    ["http://example.com:80/x", "http://example.com/x"],
    ["https://example.com/story?utm_source=rss&utm_medium=feed&id=7", "https://example.com/story?id=7"],
    ["https://example.com/story?fbclid=abc&gclid=def", "https://example.com/story"],
    ["https://user:pw@example.com/p", "https://example.com/p"],
    ["  https://example.com/trim  ", "https://example.com/trim"],
  ])("normalises %s", (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it("keeps parameter encoding and bare names as they are", () => {
    expect(canonicalizeUrl("https://example.com/s?q=a%20b&article&utm_source=x")).toBe("https://example.com/s?article&q=a%20b");
  });

  it("keeps a client-side route in the fragment", () => {
    expect(canonicalizeUrl("https://spa.example/#/news/1")).toBe("https://spa.example/#/news/1");
    expect(canonicalizeUrl("https://spa.example/#!news/2")).toBe("https://spa.example/#!news/2");
    expect(canonicalizeUrl("https://spa.example/page#section-3")).toBe("https://spa.example/page");
  });

  it("ignores an unusable base when the link is already absolute", () => {
    expect(canonicalizeUrl("https://news.example/a", "www.example.com")).toBe("https://news.example/a");
    expect(canonicalizeUrl("/a", "www.example.com")).toBeNull();
  });

  it("refuses URLs longer than 2048 characters", () => {
    expect(canonicalizeUrl(`https://example.com/${"a".repeat(2100)}`)).toBeNull();
  });

  it("resolves a relative link against a base", () => {
    expect(canonicalizeUrl("/news/a?utm_campaign=x", "https://site.example/feed.xml")).toBe("https://site.example/news/a");
  });

  it.each(["", "not a url", "ftp://example.com/file", "javascript:alert(1)", "mailto:a@example.com", "/relative/without/base"])(
    "refuses %j",
    (input) => {
      expect(canonicalizeUrl(input)).toBeNull();
    },
  );
});
