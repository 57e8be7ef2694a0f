import { escapeHtml, htmlToText, removeXmlInvalidChars, truncateText } from "@eventwire/core";
import { describe, expect, it } from "vitest";

describe("htmlToText", () => {
  it("drops markup, decodes entities and keeps paragraphs apart", () => {
    expect(htmlToText("<p>One&nbsp;&amp; two</p><p>Three &mdash; <b>four</b></p>")).toBe("One & two\n\nThree — four");
  });

  it("drops the content of script, style and similar elements", () => {
    expect(htmlToText("a<script>alert(1)</script>b<style>p{}</style>c<noscript>x</noscript>")).toBe("abc");
  });

  it("keeps escaped markup as text", () => {
    expect(htmlToText("&lt;script&gt;alert(1)&lt;/script&gt;")).toBe("<script>alert(1)</script>");
  });

  it("treats plain text as text", () => {
    expect(htmlToText("  Just   words\twith  spaces ")).toBe("Just words with spaces");
  });

  it("reads C1 control characters as the Windows-1252 characters they stand for, and drops the undefined ones", () => {
    expect(htmlToText("Don\u0092t \u0093wait\u0094 \u0096 now\u0085 \u0081")).toBe("Don’t “wait” – now…");
  });

  it("reads UTF-8 that was read as Latin-1 (double-encoded) again", () => {
    expect(htmlToText("Wait\u00e2\u0080\u00a6 caf\u00c3\u00a9")).toBe("Wait… caf\u00c3\u00a9");
  });

  it("keeps the text after a self-closed iframe, script or object", () => {
    expect(htmlToText('a <iframe src="x"/> b <script src="y"/> c <object data="z"/> d')).toBe("a b c d");
  });

  it("removes characters XML cannot carry", () => {
    expect(htmlToText("a\u0001b\u000Bc")).toBe("abc");
  });
});

describe("removeXmlInvalidChars", () => {
  it("keeps valid pairs and removes lone surrogates and control characters", () => {
    expect(removeXmlInvalidChars("ok 😀 \uD800 \u0000 \n\t")).toBe("ok 😀   \n\t");
  });
});

describe("truncateText", () => {
  it("leaves short text alone", () => {
    expect(truncateText("short", 10)).toBe("short");
  });
  it("cuts at a word boundary and marks the cut", () => {
    const cut = truncateText("alpha beta gamma delta epsilon", 18);
    expect(cut).toBe("alpha beta gamma…");
    expect(cut.length).toBeLessThanOrEqual(18);
  });
});

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
