import { canonicalizeUrl, htmlToText, readFeedDate } from "@eventwire/core";
import sax from "sax";
import type { FeedparserCase } from "./corpus";
import { type Expr, literalValue, type PyValue, parsePythonExpression } from "./python-expression";
import type { ProductRead } from "./read-through-product";

/** The fields of an entry the product reads, and the feed-level facts it keeps. */
export type ClaimField = "title" | "link" | "id" | "published" | "updated" | "summary" | "content" | "feed-title" | "encoding";

type Verdict = "agree" | "differ" | "deliberate";

/** One claim of an `Expect:` line that the product's reading can be compared with. */
export type Claim = {
  file: string;
  field: ClaimField;
  /** The claim as written, e.g. `entries[0]['title'] == 'Example Atom'`. */
  source: string;
  expected: string;
  actual: string;
  verdict: Verdict;
  /** For a deliberate difference: which of DELIBERATE. */
  reason?: keyof typeof DELIBERATE;
};

/** The differences the product makes on purpose, each with its argument (repeated in the docs). */
export const DELIBERATE = {
  "absolute-links":
    "a link feedparser leaves relative (no xml:base, no Content-Location) is resolved against the feed's own URL, as RFC 3986 §5.1.3 says for a document retrieved from a URI: a stored article needs an address that works",
  "content-location":
    "the base of relative links is the feed's URL, not the Content-Location header: RFC 7231 (§3.1.4.2) no longer makes Content-Location a base URI, and a server's header should not move an article's address",
  "one-date":
    "the product keeps one date per article, the publication date; an entry that also carries a creation or modification date is dated by its publication date, so feedparser's other date is not the product's",
  "rfc7303-charset":
    "text/xml without a charset is read by the document's own declaration (RFC 7303 §3, which replaced RFC 3023's US-ASCII default): feedparser's us-ascii label is the older rule; every such file is ASCII, so the text is the same",
  "mixed-encoding":
    "a document in UTF-8 with a stray byte of another encoding keeps its UTF-8 characters and reads only the stray byte in the detected encoding; feedparser reads the whole document in Windows-1252, turning every UTF-8 character into two or three wrong ones",
  "id-as-written":
    "an Atom id is an identifier, compared character by character (RFC 4287 §4.2.6.1), never resolved against a base: resolving a relative id against a URL that may move would change the article's identity",
  "no-channel":
    "an <rss> document without a <channel> is refused with a sentence saying so, as the issue asks: RSS puts items in a channel, and a document without one is more likely something else than a feed",
  "declared-entities":
    "a document that declares its own XML entities is refused (billion laughs, XXE): no real feed needs them, and expanding them is the attack",
  "rendered-text":
    "the text of <iframe>, <object>, <script> and similar elements is dropped, as a browser never shows it (HTML parses iframe content as raw text); feedparser's sanitiser removes the tags but keeps the words inside",
} as const;

type EntryElement = { name: string; attributes: Record<string, string>; hasChildren: boolean };
type EntryFacts = { elements: EntryElement[] };
export type DocumentFacts = {
  atom: boolean;
  /** The direct children of the feed (Atom) or channel (RSS, RDF, CDF). */
  feedElements: EntryElement[];
  entries: EntryFacts[];
  source: string;
};

/** A light, forgiving read of the source for what the oracle needs: each entry's direct children and their attributes. */
export function documentFacts(text: string): DocumentFacts {
  const parser = sax.parser(false, { lowercase: true });
  const facts: DocumentFacts = { atom: false, feedElements: [], entries: [], source: text };
  let feedDepth = -1;
  let feedElement: EntryElement | null = null;
  const stack: string[] = [];
  let entryDepth = -1;
  let current: EntryElement | null = null;
  parser.onerror = () => {
    parser.error = null as unknown as Error;
  };
  parser.onopentag = (tag) => {
    const name = tag.name;
    if (stack.length === 0) facts.atom = name === "feed" || name.endsWith(":feed");
    if (feedDepth === -1 && (stack.length === 0 ? facts.atom || name === "channel" : name === "channel"))
      feedDepth = stack.length;
    else if (entryDepth === -1 && feedDepth !== -1 && stack.length === feedDepth + 1) {
      feedElement = { name, attributes: tag.attributes as Record<string, string>, hasChildren: false };
      facts.feedElements.push(feedElement);
    } else if (feedElement !== null && entryDepth === -1 && stack.length > feedDepth + 1) {
      feedElement.hasChildren = true;
    }
    if (entryDepth === -1 && (name === "item" || name === "entry" || name.endsWith(":item") || name.endsWith(":entry"))) {
      entryDepth = stack.length;
      facts.entries.push({ elements: [] });
    } else if (entryDepth !== -1 && stack.length === entryDepth + 1) {
      current = { name, attributes: tag.attributes as Record<string, string>, hasChildren: false };
      facts.entries[facts.entries.length - 1]?.elements.push(current);
    } else if (current !== null && stack.length > entryDepth + 1) {
      current.hasChildren = true;
    }
    stack.push(name);
  };
  parser.onclosetag = () => {
    stack.pop();
    if (stack.length === feedDepth + 1) feedElement = null;
    if (stack.length === entryDepth) {
      entryDepth = -1;
      current = null;
    }
  };
  try {
    parser.write(text).close();
  } catch {
    // What was read before the error is what the oracle gets.
  }
  return facts;
}

type Path = { entry: number; keys: (string | number)[] } | { feed: true; keys: (string | number)[] } | { encoding: true };

function pathOf(expr: Expr): Path | null {
  const keys: (string | number)[] = [];
  let node = expr;
  while (node.kind === "subscript" || node.kind === "attribute") {
    if (node.kind === "attribute") keys.unshift(node.name);
    else {
      const key = literalValue(node.index);
      if (typeof key !== "string" && typeof key !== "number") return null;
      keys.unshift(key);
    }
    node = node.target;
  }
  if (node.kind !== "name") return null;
  if (node.name === "encoding" && keys.length === 0) return { encoding: true };
  if (node.name === "feed") return { feed: true, keys };
  if (node.name !== "entries" || typeof keys[0] !== "number") return null;
  return { entry: keys[0], keys: keys.slice(1) };
}

const DATE_KEYS: Record<string, "published" | "updated"> = {
  published: "published",
  issued: "published",
  created: "published",
  date: "updated",
  updated: "updated",
  modified: "updated",
};

/** Which product field an entry path is about, or null when the product keeps no such thing. */
function entryField(keys: (string | number)[]): { field: ClaimField; parsed?: boolean; link?: number; dateKey?: string } | null {
  const [first, second, third] = keys;
  if (keys.length === 1 && first === "title") return { field: "title" };
  if (first === "title_detail" && second === "value" && keys.length === 2) return { field: "title" };
  if (keys.length === 1 && (first === "summary" || first === "description")) return { field: "summary" };
  if (first === "summary_detail" && second === "value" && keys.length === 2) return { field: "summary" };
  if (first === "content" && second === 0 && third === "value" && keys.length === 3) return { field: "content" };
  if (keys.length === 1 && first === "link") return { field: "link" };
  if (first === "links" && typeof second === "number" && third === "href" && keys.length === 3)
    return { field: "link", link: second };
  if (keys.length === 1 && (first === "id" || first === "guid")) return { field: "id" };
  if (keys.length === 1 && typeof first === "string") {
    const parsed = first.endsWith("_parsed");
    const dateKey = parsed ? first.slice(0, -"_parsed".length) : first;
    const field = DATE_KEYS[dateKey];
    if (field !== undefined) return { field, parsed, dateKey };
  }
  return null;
}

// feedparser's test for text that is HTML (mixin.py, lookslikehtml): an end tag or an entity.
// Applied to feedparser's output, where its sanitiser has already turned source like `&lt;br&gt;`
// into `<br />`, an empty element of HTML counts too.
function looksLikeHtml(value: string): boolean {
  return /<\/(\w+)>/.test(value) || /&#?\w+;/.test(value) || /<(?:br|img|hr|input|area|col)\b[^>]*\/>/i.test(value);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Whether feedparser's value for an element is plain text, by the rules feedparser reads it with. */
function isPlainText(element: EntryElement | undefined, atom: boolean, value: string): boolean {
  if (element === undefined) return !looksLikeHtml(value);
  if (!atom) return !looksLikeHtml(value);
  if (element.hasChildren) return false;
  const type = (element.attributes.type ?? "").trim().toLowerCase();
  const mode = (element.attributes.mode ?? "").trim().toLowerCase();
  if (mode === "base64") return false;
  return type === "" || type === "text" || type === "text/plain";
}

const FIELD_ELEMENTS: Record<string, string[]> = {
  title: ["title", "dc:title"],
  summary: ["summary", "description", "dc:description", "content", "content:encoded"],
  content: ["content", "content:encoded", "body", "xhtml:body"],
};

function elementFor(facts: DocumentFacts, entry: number, field: string): EntryElement | undefined {
  const elements = facts.entries[entry]?.elements ?? [];
  for (const name of FIELD_ELEMENTS[field] ?? []) {
    const found = elements.find((element) => element.name === name || element.name.endsWith(`:${name}`));
    if (found !== undefined) return found;
  }
  return undefined;
}

function alternateLinkIndex(facts: DocumentFacts, entry: number, index: number): boolean {
  const links = (facts.entries[entry]?.elements ?? []).filter(
    (element) => element.name === "link" || element.name.endsWith(":link"),
  );
  const link = links[index];
  if (link === undefined) return false;
  const rel = link.attributes.rel ?? "alternate";
  return rel === "alternate" && link.attributes.href !== undefined;
}

function tupleTime(value: PyValue): number | null {
  if (!Array.isArray(value) || value.length < 6 || value.slice(0, 6).some((part) => typeof part !== "number")) return null;
  const [y, m, d, h, mi, s] = value as number[];
  return Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
}

function conjuncts(expr: Expr): Expr[] {
  return expr.kind === "bool" && expr.op === "and" ? expr.operands.flatMap(conjuncts) : [expr];
}

/** An `==` claim: a path and the literal it should equal (`ord(x) == n` read as `x == chr(n)`). */
function equalities(expr: Expr): { path: Path; source: Expr; value: PyValue }[] {
  if (expr.kind !== "compare" || expr.ops.some((op) => op !== "==")) return [];
  const values = expr.operands.map(literalValue).filter((value) => value !== undefined);
  if (values.length !== 1) return [];
  const value = values[0] as PyValue;
  const out: { path: Path; source: Expr; value: PyValue }[] = [];
  for (const operand of expr.operands) {
    if (operand.kind === "call" && operand.callee.kind === "name" && operand.callee.name === "ord" && operand.args[0]) {
      const path = pathOf(operand.args[0]);
      if (path !== null && typeof value === "number") out.push({ path, source: operand, value: String.fromCodePoint(value) });
      continue;
    }
    const path = pathOf(operand);
    if (path !== null) out.push({ path, source: operand, value });
  }
  return out;
}

const CHARSET_ALIASES: Record<string, string> = { "iso-8859-1": "windows-1252", "us-ascii": "windows-1252", gb2312: "gb18030" };

function sameCharset(a: string, b: string): boolean {
  const norm = (label: string) => {
    const lower = label.toLowerCase().replace(/_/g, "-");
    return CHARSET_ALIASES[lower] ?? lower;
  };
  return norm(a) === norm(b);
}

/** The claims of one file's `Expect:` line that the product's reading can be compared with. */
export function claimsOf(testCase: FeedparserCase, read: ProductRead, facts: DocumentFacts): Claim[] {
  if (testCase.expect.trim() === "") return [];
  let expr: Expr;
  try {
    expr = parsePythonExpression(testCase.expect);
  } catch {
    return [];
  }
  const claims: Claim[] = [];
  for (const conjunct of conjuncts(expr)) {
    for (const { path, value } of equalities(conjunct)) {
      const claim = compare(testCase, read, facts, path, value);
      if (claim !== null) claims.push({ ...claim, file: testCase.file, source: testCase.expect });
    }
  }
  return claims;
}

type Compared = Omit<Claim, "file" | "source">;

/** Elements whose words no browser shows: iframe content is raw text, the others run or embed. */
const UNRENDERED =
  /<(?:iframe|object|script|embed|applet|noscript|style)\b|&lt;(?:iframe|object|script|embed|applet|noscript|style)\b/i;

/** Whether `shorter` is `longer` with some words taken out. */
function wordsDropped(shorter: string, longer: string): boolean {
  const words = longer.split(" ");
  let at = 0;
  for (const word of shorter.split(" ").filter((w) => w !== "")) {
    while (at < words.length && words[at] !== word) at += 1;
    if (at === words.length) return false;
    at += 1;
  }
  return shorter.length < longer.length;
}

/** The reason a difference is by design, when it is one of those the product makes on purpose. */
function deliberateReason(read: ProductRead, facts: DocumentFacts, field: ClaimField, expected: string, actual: string) {
  if (read.refusal?.includes("declares its own XML entities")) return "declared-entities" as const;
  if (read.refusal?.includes("has no <channel>")) return "no-channel" as const;
  const text = field === "summary" || field === "content" || field === "title" || field === "feed-title";
  if (read.mixed && text) return "mixed-encoding" as const;
  if (text && UNRENDERED.test(facts.source) && wordsDropped(actual, expected)) {
    return "rendered-text" as const;
  }
  return undefined;
}

function verdictOf(read: ProductRead, facts: DocumentFacts, field: ClaimField, expected: string, actual: string): Compared {
  if (expected === actual) return { field, expected, actual, verdict: "agree" };
  const reason = deliberateReason(read, facts, field, expected, actual);
  return reason === undefined
    ? { field, expected, actual, verdict: "differ" }
    : { field, expected, actual, verdict: "deliberate", reason };
}

function compare(testCase: FeedparserCase, read: ProductRead, facts: DocumentFacts, path: Path, value: PyValue): Compared | null {
  if ("encoding" in path) {
    if (typeof value !== "string") return null;
    const agree = sameCharset(value, read.charset);
    const rfc7303 = !agree && value === "us-ascii" && /^text\//i.test(testCase.headers["content-type"] ?? "text/xml");
    return {
      field: "encoding",
      expected: value,
      actual: read.charset,
      verdict: agree ? "agree" : rfc7303 ? "deliberate" : "differ",
      ...(rfc7303 ? { reason: "rfc7303-charset" as const } : {}),
    };
  }
  if ("feed" in path) {
    const isTitle =
      (path.keys.length === 1 && path.keys[0] === "title") || (path.keys[0] === "title_detail" && path.keys[1] === "value");
    if (!isTitle || typeof value !== "string") return null;
    const element = facts.feedElements.find((candidate) => candidate.name === "title" || candidate.name.endsWith(":title"));
    const expected = oneLine(isPlainText(element, facts.atom, value) ? value : htmlToText(value));
    return verdictOf(read, facts, "feed-title", expected, oneLine(read.feed?.title ?? ""));
  }
  const target = entryField(path.keys);
  if (target === null) return null;
  const item = read.items[path.entry];
  // The fields as the product reads them, whether or not the item has the words to be stored.
  const article = item?.fields ?? null;
  const missing = read.refusal ?? (item === undefined ? "no such item" : null);
  switch (target.field) {
    case "title":
    case "summary":
    case "content": {
      if (typeof value !== "string") return null;
      const element = elementFor(facts, path.entry, target.field);
      const expected = oneLine(isPlainText(element, facts.atom, value) ? value : htmlToText(value));
      const actual =
        article === null
          ? `(${missing})`
          : oneLine(target.field === "title" ? article.title : target.field === "summary" ? article.summary : article.text);
      return verdictOf(read, facts, target.field, expected, actual);
    }
    case "link": {
      if (typeof value !== "string") return null;
      if (target.link !== undefined && !alternateLinkIndex(facts, path.entry, target.link)) return null;
      const actual = article?.url ?? `(${missing ?? "no link"})`;
      const exact = canonicalizeUrl(value);
      if (exact !== null) {
        if (exact === actual) return { field: "link", expected: value, actual, verdict: "agree" };
        const moved = testCase.headers["content-location"] !== undefined;
        return moved
          ? { field: "link", expected: value, actual, verdict: "deliberate", reason: "content-location" }
          : verdictOf(read, facts, "link", value, actual);
      }
      const resolved = canonicalizeUrl(value, testCase.url);
      return resolved !== null && resolved === actual
        ? { field: "link", expected: value, actual, verdict: "deliberate", reason: "absolute-links" }
        : verdictOf(read, facts, "link", value, actual);
    }
    case "id": {
      if (typeof value !== "string") return null;
      const actual = article?.guid ?? `(${missing ?? "no id"})`;
      const base = testCase.headers["content-location"] ?? testCase.url;
      if (actual !== value.trim() && article?.guid && canonicalizeUrl(article.guid, base) === canonicalizeUrl(value)) {
        return { field: "id", expected: value, actual, verdict: "deliberate", reason: "id-as-written" };
      }
      return verdictOf(read, facts, "id", value.trim(), actual);
    }
    case "published":
    case "updated": {
      const expectedTime = target.parsed ? tupleTime(value) : typeof value === "string" ? readFeedDate(value) : null;
      if (expectedTime === null) return null;
      const actual = article === null ? `(${missing})` : article.dateInferred ? "(no date)" : article.publishedAt;
      const expected = new Date(expectedTime).toISOString();
      if (actual === expected) return { field: target.field, expected, actual, verdict: "agree" };
      const otherDate =
        article !== null && !article.dateInferred && target.dateKey !== "published" && target.dateKey !== "issued";
      return otherDate
        ? { field: target.field, expected, actual, verdict: "deliberate", reason: "one-date" }
        : verdictOf(read, facts, target.field, expected, actual);
    }
    default:
      return null;
  }
}
