import { decodeWindows1252 } from "@eventwire/core";
import chardet from "chardet";

/** A decoded body and how its encoding was found. */
export type DecodedBody = {
  text: string;
  /** The encoding the bytes were read in, lower-cased. */
  charset: string;
  /** True when no declaration could be used and the encoding was detected from the bytes. */
  detected: boolean;
  /** True when the body was UTF-8 but for a few stray bytes, which alone were read in `charset`. */
  mixed: boolean;
};

// Byte-order marks, which RFC 7303 puts before any other declaration.
const BYTE_ORDER_MARKS: [number[], string][] = [
  [[0x00, 0x00, 0xfe, 0xff], "utf-32be"],
  [[0xff, 0xfe, 0x00, 0x00], "utf-32le"],
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

// Without a mark, the first bytes of `<?xml` or `<` in UTF-16 or UTF-32 (XML 1.0, Appendix F).
const XML_SIGNATURES: [number[], string][] = [
  [[0x00, 0x00, 0x00, 0x3c], "utf-32be"],
  [[0x3c, 0x00, 0x00, 0x00], "utf-32le"],
  [[0x00, 0x3c, 0x00, 0x3f], "utf-16be"],
  [[0x3c, 0x00, 0x3f, 0x00], "utf-16le"],
];

// GB2312 is a subset of GBK, itself of GB18030: servers name the smallest and send the largest.
const SUPERSETS: Record<string, string> = { gb2312: "gb18030", gbk: "gb18030", "x-gbk": "gb18030" };

// Windows-1252 and the Latin-1 family: what a feed's stray high bytes most often are.
const LATIN = new Set(["windows-1252", "iso-8859-1", "iso-8859-15"]);

function startsWith(body: Uint8Array, table: [number[], string][]): string | null {
  for (const [bytes, charset] of table) {
    if (bytes.every((byte, i) => body[i] === byte)) return charset;
  }
  return null;
}

/** The charset parameter of a Content-Type header, quoted or not; null when absent or unreadable. */
function headerCharset(contentType: string | null): string | null {
  const match = contentType?.match(/;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))/i);
  const value = (match?.[1] ?? match?.[2] ?? match?.[3])?.trim();
  return value ? value.toLowerCase() : null;
}

/**
 * The charset a response declares: a byte-order mark (which RFC 7303 puts first), the
 * Content-Type header, the encoding of a UTF-16 or UTF-32 document's first bytes, the XML
 * declaration, or an HTML page's meta element; UTF-8, the XML default, when none says.
 */
export function detectCharset(contentType: string | null, body: Uint8Array): string {
  return declaredCharset(contentType, body) ?? "utf-8";
}

function declaredCharset(contentType: string | null, body: Uint8Array): string | null {
  const fromMark = startsWith(body, BYTE_ORDER_MARKS);
  if (fromMark !== null) return fromMark;
  const fromHeader = headerCharset(contentType);
  if (fromHeader) return fromHeader;
  const fromSignature = startsWith(body, XML_SIGNATURES);
  if (fromSignature !== null) return fromSignature;
  const head = Buffer.from(body.subarray(0, 1024)).toString("latin1");
  const fromProlog = head.match(/^\s*<\?xml[^>]*encoding\s*=\s*["']\s*([\w.:-]+)\s*["']/i)?.[1];
  if (fromProlog) return fromProlog.toLowerCase();
  // An HTML page (a full-text fetch) names its charset in a meta element.
  const fromMeta = head.match(/<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i)?.[1];
  return fromMeta ? fromMeta.toLowerCase() : null;
}

// The WHATWG Encoding Standard's reading of labels servers send for Windows-1252.
const WINDOWS_1252_LABELS = new Set([
  "windows-1252",
  "us-ascii",
  "ascii",
  "iso-8859-1",
  "iso8859-1",
  "latin1",
  "l1",
  "cp1252",
  "x-cp1252",
]);

/** The name a label is decoded under: a superset, or Windows-1252 for its aliases. */
function canonicalCharset(charset: string): string {
  return SUPERSETS[charset] ?? (WINDOWS_1252_LABELS.has(charset) ? "windows-1252" : charset);
}

/** UTF-32, which no WHATWG decoder reads: four bytes a character. Null on a code point out of range. */
function decodeUtf32(body: Uint8Array, littleEndian: boolean): string | null {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength - (body.byteLength % 4));
  const chars: string[] = [];
  for (let at = 0; at < view.byteLength; at += 4) {
    const code = view.getUint32(at, littleEndian);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    chars.push(String.fromCodePoint(code));
  }
  return chars.join("");
}

/**
 * Decodes in the Encoding Standard's way, with the platform's decoders: UTF-8 strictly (null when
 * the bytes are not UTF-8), the others leniently; null when no decoder knows the label. Windows-1252
 * is decoded by table: Node 20's decoder reads its bytes 0x80-0x9F as Latin-1's C1 controls.
 */
function decodeAs(charset: string, body: Uint8Array): string | null {
  const label = canonicalCharset(charset);
  if (label === "windows-1252") return decodeWindows1252(body);
  if (label === "utf-32" || label === "utf-32be" || label === "utf-32le") return decodeUtf32(body, label === "utf-32le");
  try {
    return new TextDecoder(label, { fatal: label === "utf-8" || label === "utf8" }).decode(body);
  } catch {
    // A RangeError names a label the platform does not know; a TypeError, bytes that are not UTF-8.
    return null;
  }
}

// A well-formed UTF-8 sequence of two to four bytes, read over the body's bytes as Latin-1 text.
const UTF8_SEQUENCE =
  /[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}/g;

/**
 * A UTF-8 document with a few bytes of another encoding pasted in (a Windows-1252 quote in an
 * otherwise UTF-8 feed): the UTF-8 sequences read as UTF-8, the stray bytes in `charset`.
 * Null when the body has no UTF-8 sequence at all, so it is read in `charset` throughout.
 */
function decodeMixed(body: Uint8Array, charset: string): string | null {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const latin = bytes.toString("latin1");
  let found = false;
  let out = "";
  let last = 0;
  for (const match of latin.matchAll(UTF8_SEQUENCE)) {
    found = true;
    out += decodeAs(charset, bytes.subarray(last, match.index)) ?? "";
    out += bytes.subarray(match.index, match.index + match[0].length).toString("utf8");
    last = match.index + match[0].length;
  }
  return found ? out + (decodeAs(charset, bytes.subarray(last)) ?? "") : null;
}

/** Reads bytes no declaration could: the encoding chardet finds likeliest that a decoder knows. */
function decodeDetected(body: Uint8Array, brokenUtf8: boolean): DecodedBody {
  for (const match of chardet.analyse(body)) {
    const charset = canonicalCharset(match.name.toLowerCase());
    if (brokenUtf8 && charset === "utf-8") continue;
    const mixed = brokenUtf8 && LATIN.has(charset) ? decodeMixed(body, charset) : null;
    const text = mixed ?? decodeAs(charset, body);
    if (text !== null) return { text, charset, detected: true, mixed: mixed !== null };
  }
  return { text: decodeWindows1252(body), charset: "windows-1252", detected: true, mixed: false };
}

/**
 * Decodes a response body: in the charset it declares (see `detectCharset`), else UTF-8 when the
 * bytes are UTF-8; when the declaration names an encoding no decoder knows, or UTF-8 that the
 * bytes are not, the encoding is detected from the bytes (chardet) and decoded in it.
 */
export function decodeBody(contentType: string | null, body: Uint8Array): DecodedBody {
  const declared = declaredCharset(contentType, body);
  const charset = declared ?? "utf-8";
  const text = decodeAs(charset, body);
  if (text !== null)
    return { text: text.replace(/^\uFEFF/, ""), charset: canonicalCharset(charset), detected: false, mixed: false };
  const brokenUtf8 = charset === "utf-8" || charset === "utf8";
  const detected = decodeDetected(body, brokenUtf8);
  return { ...detected, text: detected.text.replace(/^\uFEFF/, "") };
}
