import { describeFetchError, detectCharset } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";

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
