import { errorMessage, escapeHtml, readFeedDate } from "@eventwire/core";
import sax, { type QualifiedAttribute, type QualifiedTag } from "sax";
import { constructHtml, type Node, textContent } from "./feed-text-construct";

/**
 * The first pass over a feed document, before rss-parser reads it. rss-parser (over xml2js)
 * keeps an element's text or its children but not both in order, ignores `xml:base` and the
 * `type` of Atom text, and takes dates as `Date` reads them. This pass reads the document once
 * with sax (the tokenizer under xml2js) and writes it again in the shape rss-parser reads well:
 *
 * - every text construct (titles, summaries, content) becomes one string of HTML: Atom `text`
 *   escaped so it reads as written, `xhtml` and inline markup serialised in order, `base64`
 *   decoded; an RSS title is plain text unless it looks like HTML, as feedparser judges it;
 * - links are resolved against the `xml:base` in scope (RFC 3986, XML Base), itself resolved
 *   against the document's URL; an Atom link without `rel` is marked `alternate`, its default;
 * - dates are read once with the product's reader and written as ISO 8601, or left empty;
 * - element names of the namespaces the product reads get their usual prefixes (`dc:`,
 *   `dcterms:`, `content:`), whatever prefix the feed chose;
 * - comments, processing instructions and the DOCTYPE are dropped.
 */

const NS = {
  atom10: "http://www.w3.org/2005/Atom",
  atom03: "http://purl.org/atom/ns#",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  xhtml: "http://www.w3.org/1999/xhtml",
} as const;

// Namespaces whose elements are written without a prefix: RSS's own.
const RSS_NAMESPACES = new Set([
  "",
  "http://purl.org/rss/1.0/",
  "http://my.netscape.com/rdf/simple/0.9/",
  "http://backend.userland.com/rss2",
  "http://blogs.law.harvard.edu/tech/rss",
  "http://backend.userland.com/rss",
]);

const PREFIXES: Record<string, string> = {
  "http://purl.org/dc/elements/1.1/": "dc",
  "http://purl.org/dc/terms/": "dcterms",
  "http://purl.org/rss/1.0/modules/content/": "content",
  "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
  "http://search.yahoo.com/mrss/": "media",
  "http://search.yahoo.com/mrss": "media",
  [NS.rdf]: "rdf",
  [NS.xhtml]: "xhtml",
};

const ATOM_CONSTRUCTS = new Set(["title", "subtitle", "summary", "content", "rights", "tagline", "info", "copyright"]);
const RSS_CONSTRUCTS = new Set(["title", "description", "summary", "body", "fullitem"]);
const OTHER_CONSTRUCTS = new Set([
  "dc:title",
  "dc:description",
  "content:encoded",
  "xhtml:body",
  "itunes:summary",
  "media:title",
  "media:description",
]);
/**
 * The elements that date an item, in the order they say when it was published: rewritten as
 * ISO 8601 (empty where unreadable), and read back in this order.
 */
export const FEED_DATE_FIELDS = [
  "pubDate",
  "published",
  "issued",
  "dcterms:issued",
  "dc:date",
  "dcterms:created",
  "created",
  "updated",
  "modified",
  "dcterms:modified",
] as const;
const DATES = new Set<string>(FEED_DATE_FIELDS);
const RECOVERABLE = /^(Unbound namespace prefix|Text data outside of root node|Invalid character in entity name)/;

/** `cdf`: Microsoft's Channel Definition Format (1997), read as the RSS it maps onto. */
type DocumentKind = "rss" | "rdf" | "atom" | "cdf";
const ROOT_OPEN: Record<DocumentKind, string> = {
  rss: "<rss",
  rdf: "<rdf:RDF",
  atom: "<feed",
  cdf: '<rss version="2.0"><channel',
};
const ROOT_CLOSE: Record<DocumentKind, string> = { rss: "</rss>", rdf: "</rdf:RDF>", atom: "</feed>", cdf: "</channel></rss>" };
const CDF_NAMES: Record<string, string> = { abstract: "description" };
/** An element whose content is gathered whole and rewritten at its end. */
/** The deepest inline markup kept inside one text construct (see onopentag). */
const MAX_MARKUP_DEPTH = 64;

type Gathered = {
  kind: "construct" | "link" | "date";
  name: string;
  atom: boolean;
  attributes: Record<string, QualifiedAttribute>;
  base: string | null;
  root: Node;
  /** The open elements inside it, innermost last. */
  open: Node[];
};

export type NormalizedFeedXml = { ok: true; xml: string; kind: "rss" | "rdf" | "atom" } | { ok: false; message: string };

/** The first lines of a parser's message: sax appends the line, column and character. */
export function firstLines(message: string): string {
  return message.split("\n").slice(0, 3).join("; ");
}

function isAtom(uri: string): boolean {
  return uri === NS.atom10 || uri === NS.atom03;
}

/** The name an element is written under: RSS and (in an Atom feed) Atom names bare, known namespaces with their usual prefix. */
function outputName(tag: QualifiedTag, kind: DocumentKind | null, atom: boolean): string {
  if (kind === "cdf") {
    const local = tag.local.toLowerCase();
    return CDF_NAMES[local] ?? local;
  }
  if (atom) return kind === "atom" || kind === null ? tag.local : `atom:${tag.local}`;
  if (RSS_NAMESPACES.has(tag.uri)) return tag.uri === "" ? tag.name : tag.local;
  const prefix = PREFIXES[tag.uri];
  if (prefix !== undefined) return `${prefix}:${tag.local}`;
  return tag.prefix === "" ? `ext:${tag.local}` : tag.name;
}

function documentKind(tag: QualifiedTag): DocumentKind | null {
  if (tag.local === "rss") return "rss";
  if (tag.local === "RDF" && tag.uri === NS.rdf) return "rdf";
  // An Atom feed under a namespace of its own making is still read as Atom, as feedparser does.
  if (tag.local === "feed") return "atom";
  if (tag.local === "CHANNEL" && tag.uri === "") return "cdf";
  return null;
}

/** A base from `xml:base`, resolved against the one in scope; only http(s) bases count. */
function resolveBase(value: string | undefined, parent: string | null): string | null {
  if (value === undefined) return parent;
  try {
    const url = parent === null ? new URL(value.trim()) : new URL(value.trim(), parent);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : parent;
  } catch {
    return parent;
  }
}

function resolveLink(value: string, base: string | null): string {
  const trimmed = value.trim();
  if (base === null || trimmed === "") return trimmed;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return trimmed;
  }
}

/**
 * An Atom link as rss-parser reads it: `href` resolved against the base in scope (or, from feeds
 * that write the address as the element's text, that text), `rel` made explicit.
 */
function atomLinkTag(
  name: string,
  attributes: Record<string, QualifiedAttribute>,
  text: string,
  base: string | null,
  atom: boolean,
): string {
  const href = attributes.href?.value ?? (text.trim() || undefined);
  let out = `<${name}${attributeText(attributes, (a) => a.name === "xml:base" || a.name === "href")}`;
  if (href !== undefined) out += ` href="${escapeHtml(resolveLink(href, base))}"`;
  if (attributes.rel === undefined && atom) out += ' rel="alternate"';
  return `${out}/>`;
}

/** A CDF channel's or item's HREF and LASTMOD as the RSS link and date they are. */
function cdfFacts(tag: QualifiedTag, base: string | null): string {
  const href = tag.attributes.HREF?.value;
  const lastmod = readFeedDate(tag.attributes.LASTMOD?.value);
  return (
    (href === undefined ? "" : `<link>${escapeHtml(resolveLink(href, base))}</link>`) +
    (lastmod === null ? "" : `<dcterms:modified>${new Date(lastmod).toISOString()}</dcterms:modified>`)
  );
}

function attributeText(attributes: Record<string, QualifiedAttribute>, skip: (attribute: QualifiedAttribute) => boolean): string {
  let out = "";
  for (const attribute of Object.values(attributes)) {
    if (!skip(attribute)) out += ` ${attribute.name}="${escapeHtml(attribute.value)}"`;
  }
  return out;
}

// An "&" that starts no reference, outside CDATA sections and comments: the commonest error of
// hand-made feeds (`?a=1&b=2` in a link). It stands for itself, as every feed reader takes it.
// A section left open runs to the end of the document: one scan, never one per "<![CDATA[".
const BARE_AMPERSAND = /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|&(?!#\d+;|#x[\da-f]+;|[a-z_][\w.-]*;)/gi;

function escapeBareAmpersands(body: string): string {
  return body.replace(BARE_AMPERSAND, (match) => (match === "&" ? "&amp;" : match));
}

/**
 * Rewrites a feed document for rss-parser (see above). `documentUrl` is the base of relative
 * links outside any `xml:base`. Refuses, in words, a document that is no RSS, RDF or Atom feed.
 */
export function normalizeFeedXml(body: string, documentUrl: string | null): NormalizedFeedXml {
  const source = escapeBareAmpersands(body);
  const parser = sax.parser(true, { xmlns: true, position: true });
  const out: string[] = [];
  const bases: (string | null)[] = [resolveBase(documentUrl ?? undefined, null)];
  let kind: DocumentKind | null = null;
  /** The namespace of an Atom root, which its elements share even when it is not Atom's. */
  let atomUri: string | null = null;
  let depth = 0;
  let hasChannel = false;
  let gathered: Gathered | null = null;
  let gatheredDepth = 0;
  /** What to close for each open element below the root: its name, or null when already closed (`<x/>`). */
  const closers: (string | null)[] = [];
  let failure: string | null = null;
  let refusal: string | null = null;
  let unclosed = false;

  const currentBase = () => bases[bases.length - 1] ?? null;

  parser.onerror = (error) => {
    const message = firstLines(error.message);
    // A prefix nobody declared, stray text after the root, or a bare "&" (sax keeps it as text, as
    // every feed reader does with the ampersands of unescaped URLs) lose nothing of the feed.
    if (/^Unclosed root tag/.test(message) || (unclosed && /^Unexpected end/.test(message))) unclosed = true;
    else if (!RECOVERABLE.test(message)) failure ??= message;
    parser.error = null as unknown as Error;
  };

  parser.onopentag = (raw) => {
    const tag = raw as QualifiedTag;
    if (failure !== null || refusal !== null) return;
    depth += 1;
    const base = resolveBase(tag.attributes["xml:base"]?.value, currentBase());
    bases.push(base);
    if (gathered !== null) {
      const parent = gathered.open[gathered.open.length - 1] ?? gathered.root;
      // Past this depth an element's text joins its ancestor's and its markup is dropped: what
      // is read of the markup walks it recursively, and no real text nests this deep.
      if (gathered.open.length >= MAX_MARKUP_DEPTH) {
        gathered.open.push(parent);
        return;
      }
      const node: Node = {
        name: tag.uri === NS.xhtml || tag.uri === "" ? tag.local : tag.name,
        attrs: attributeText(tag.attributes, (a) => a.prefix === "xmlns" || a.name === "xmlns" || a.prefix === "xml"),
        children: [],
      };
      parent.children.push(node);
      gathered.open.push(node);
      return;
    }
    if (depth === 1) {
      kind = documentKind(tag);
      if (kind === "atom") atomUri = tag.uri;
      if (kind === null) {
        refusal = `not a readable RSS, RDF or Atom feed: the root element is <${tag.name}>, not <rss>, <rdf:RDF> or <feed>`;
        return;
      }
      if (kind === "cdf") {
        hasChannel = true;
        out.push(`${ROOT_OPEN.cdf}>${cdfFacts(tag, base)}`);
      } else {
        out.push(`${ROOT_OPEN[kind]}${attributeText(tag.attributes, (a) => a.name === "xml:base")}>`);
      }
      return;
    }
    if (depth === 2 && tag.local === "channel") hasChannel = true;
    const atom = isAtom(tag.uri) || (atomUri !== null && tag.uri === atomUri);
    const name = outputName(tag, kind, atom);
    const gatherAs: Gathered["kind"] | null =
      (atom && ATOM_CONSTRUCTS.has(tag.local)) ||
      (RSS_NAMESPACES.has(tag.uri) && RSS_CONSTRUCTS.has(name)) ||
      OTHER_CONSTRUCTS.has(name)
        ? "construct"
        : DATES.has(name)
          ? "date"
          : name === "link" || name === "atom:link"
            ? "link"
            : null;
    if (gatherAs !== null && !tag.isSelfClosing) {
      gathered = {
        kind: gatherAs,
        name,
        atom,
        attributes: tag.attributes,
        base,
        root: { name, attrs: "", children: [] },
        open: [],
      };
      gatheredDepth = depth;
      return;
    }
    if (gatherAs === "link") {
      out.push(atomLinkTag(name, tag.attributes, "", base, atom));
      closers.push(null);
      return;
    }
    if (kind === "cdf") {
      // A CDF item carries its address and date as attributes.
      out.push(`<${name}>${name === "item" ? cdfFacts(tag, base) : ""}`);
      closers.push(name);
      return;
    }
    out.push(`<${name}${attributeText(tag.attributes, (a) => a.name === "xml:base")}${tag.isSelfClosing ? "/" : ""}>`);
    closers.push(tag.isSelfClosing ? null : name);
  };

  const onText = (text: string) => {
    if (failure !== null || refusal !== null || depth === 0) return;
    if (gathered !== null) {
      (gathered.open[gathered.open.length - 1] ?? gathered.root).children.push(text);
      return;
    }
    out.push(escapeHtml(text));
  };
  parser.ontext = onText;
  parser.oncdata = onText;

  parser.onclosetag = () => {
    if (failure !== null || refusal !== null) return;
    bases.pop();
    const closing = depth;
    depth -= 1;
    if (gathered !== null && closing > gatheredDepth) {
      gathered.open.pop();
      return;
    }
    if (gathered !== null) {
      const done: Gathered = gathered;
      gathered = null;
      let value: string;
      if (done.kind === "construct") value = constructHtml(done);
      else if (done.kind === "link") {
        if (done.atom) {
          out.push(atomLinkTag(done.name, done.attributes, textContent(done.root), done.base, true));
          return;
        }
        value = resolveLink(textContent(done.root), done.base);
      } else {
        const time = readFeedDate(textContent(done.root));
        value = time === null ? "" : new Date(time).toISOString();
      }
      out.push(`<${done.name}>${escapeHtml(value)}</${done.name}>`);
      return;
    }
    if (closing === 1) {
      out.push(ROOT_CLOSE[kind ?? "rss"]);
      return;
    }
    const name = closers.pop();
    if (name) out.push(`</${name}>`);
  };

  try {
    parser.write(source).close();
  } catch (error) {
    failure ??= firstLines(errorMessage(error));
  }
  // A document cut off after its last element (`</rss` and no more) keeps everything it said.
  if (unclosed && failure === null && kind !== null) {
    if (depth === 1) out.push(ROOT_CLOSE[kind]);
    else failure = "the document ends before its elements are closed (a cut-off download?)";
  }
  if (refusal !== null) return { ok: false, message: refusal };
  if (failure !== null) return { ok: false, message: `not a readable RSS, RDF or Atom feed: ${failure}` };
  if (kind === null) return { ok: false, message: "not a readable RSS, RDF or Atom feed: the document has no root element" };
  if (kind !== "atom" && !hasChannel) {
    return {
      ok: false,
      message: `the <${kind === "rdf" ? "rdf:RDF" : "rss"}> document has no <channel> element, so it describes no feed`,
    };
  }
  return { ok: true, xml: out.join(""), kind: kind === "cdf" ? "rss" : kind };
}
