import { Parser } from "htmlparser2";

const SKIPPED_ELEMENTS = new Set(["script", "style", "noscript", "template", "iframe", "object", "svg", "math", "head"]);

const BLOCK_ELEMENTS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "br",
  "dd",
  "div",
  "dl",
  "dt",
  "figcaption",
  "figure",
  "footer",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "td",
  "th",
  "tr",
  "ul",
]);

// Characters XML 1.0 forbids, plus lone surrogates: a feed that carries them would make our own
// feeds unparseable, so they never enter the store.
const XML_INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// C1 control characters are never text. They reach us when a feed writes a Windows-1252 character
// as a character reference (`Don&#146;t`) or declares Latin-1 for Windows-1252 bytes: read them as
// the Windows-1252 characters they were meant to be, as browsers do for HTML; the five code points
// that encoding leaves undefined go. The table is the Encoding Standard's index for 0x80-0x9F:
// Node 20's own Windows-1252 decoder reads these bytes as Latin-1's C1 controls, and iconv-lite
// would carry every other encoding's table into each function that renders text.
const WINDOWS_1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";
const C1_CONTROLS = /[\u0080-\u009F]/g;

// UTF-8 bytes read one character each (`&#226;&#128;&#166;` for "…"): a run that decodes as
// UTF-8 and holds a C1 control, which no text does, is that mistake, and is read again.
const DOUBLE_ENCODED = /[\u00C2-\u00F4][\u0080-\u00BF]{1,3}/g;

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

function repairDoubleEncoded(value: string): string {
  return value.replace(DOUBLE_ENCODED, (run) => {
    if (!/[\u0080-\u009F]/.test(run)) return run;
    try {
      return STRICT_UTF8.decode(Buffer.from(run, "latin1"));
    } catch {
      return run;
    }
  });
}

/**
 * Reads C1 control characters as what they stand for: UTF-8 read as Latin-1, or Windows-1252
 * characters; drops those that stand for nothing.
 */
export function repairC1Controls(value: string): string {
  if (!/[\u0080-\u009F]/.test(value)) return value;
  return repairDoubleEncoded(value).replace(C1_CONTROLS, (char) => {
    const repaired = WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80] ?? "";
    return repaired === char ? "" : repaired;
  });
}

/**
 * Decodes Windows-1252 bytes (what "ISO-8859-1" and "US-ASCII" mean on the web, as the Encoding
 * Standard has it); the five undefined bytes stay the C1 characters of the same number.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  let out = "";
  for (let start = 0; start < bytes.length; start += 8192) {
    const chunk = bytes.subarray(start, start + 8192);
    out += String.fromCharCode(...chunk);
  }
  return out.replace(C1_CONTROLS, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80] ?? char);
}

/** Removes characters that XML 1.0 cannot carry. */
export function removeXmlInvalidChars(value: string): string {
  return value.replace(XML_INVALID, "");
}

/**
 * Turns an HTML fragment into plain text: markup and script/style content dropped, entities
 * decoded, block elements separated by line breaks, runs of blanks collapsed.
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let skipDepth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED_ELEMENTS.has(name)) skipDepth += 1;
        else if (BLOCK_ELEMENTS.has(name)) parts.push("\n");
      },
      onclosetag(name) {
        if (SKIPPED_ELEMENTS.has(name)) skipDepth = Math.max(0, skipDepth - 1);
        else if (BLOCK_ELEMENTS.has(name)) parts.push("\n");
      },
      ontext(text) {
        if (skipDepth === 0) parts.push(text);
      },
    },
    // Feed content is often XHTML: `<iframe/>` or `<script/>` closes there, instead of hiding
    // every word after it as HTML's rules would have it.
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return collapseWhitespace(parts.join(""));
}

/** Collapses blanks inside lines and keeps at most one empty line between paragraphs. */
export function collapseWhitespace(text: string): string {
  return removeXmlInvalidChars(repairC1Controls(text))
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[\s\u00A0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Cuts text to at most `max` characters at a word boundary, marking the cut with an ellipsis. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(" ");
  const base = lastSpace > max * 0.6 ? cut.slice(0, lastSpace) : cut;
  return `${base.trimEnd()}…`;
}

/** "1 article", "3 articles": a count with its word, plural when it is not one. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Escapes text for an HTML context (element content or a quoted attribute). */
export function escapeHtml(text: string): string {
  // Most text has nothing to escape: one test instead of five replacements.
  if (!/[&<>"']/.test(text)) return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The message of an error, or the value itself in words when something else was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
