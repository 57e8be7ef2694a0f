import { escapeHtml } from "@eventwire/core";
import type { QualifiedAttribute } from "sax";

/**
 * Text constructs (titles, summaries, content) as `normalize-feed-xml` hands them to rss-parser:
 * one string of HTML, whatever form the feed wrote them in.
 */

export type Node = { name: string; attrs: string; children: Child[] };
type Child = string | Node;

/** A text construct gathered whole: its element name, whether it is Atom's, its attributes, its content. */
export type TextConstruct = { name: string; atom: boolean; attributes: Record<string, QualifiedAttribute>; root: Node };

const TITLES = new Set(["title", "dc:title", "media:title"]);
const VOID_ELEMENTS = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);

export function textContent(node: Node): string {
  return node.children.map((child) => (typeof child === "string" ? child : textContent(child))).join("");
}

function hasElements(node: Node): boolean {
  return node.children.some((child) => typeof child !== "string");
}

/** Serialises inline markup as HTML; `literal` says whether text nodes are text (XHTML) or HTML source (RSS). */
function serialize(children: Child[], literal: boolean): string {
  return children
    .map((child) => {
      if (typeof child === "string") return literal ? escapeHtml(child) : child;
      if (child.children.length === 0 && VOID_ELEMENTS.has(child.name)) return `<${child.name}${child.attrs} />`;
      return `<${child.name}${child.attrs}>${serialize(child.children, literal)}</${child.name}>`;
    })
    .join("");
}

/** An Atom 1.0 `type="xhtml"` construct is wrapped in one XHTML div that is not part of the content. */
function unwrapDiv(node: Node): Child[] {
  const elements = node.children.filter((child) => typeof child !== "string" || child.trim() !== "");
  const only = elements[0];
  return elements.length === 1 && only !== undefined && typeof only !== "string" && only.name === "div"
    ? only.children
    : node.children;
}

// feedparser's test for RSS text that is HTML: an end tag or a character reference.
function looksLikeHtml(text: string): boolean {
  // `[^<>]*`: a tag left open ends at the next "<", so each "<br" is scanned once.
  return /<\/[a-z][\w-]*\s*>|<(?:br|img|hr)\b[^<>]*>|&(?:#\d+|#x[\da-f]+|[a-z][\da-z]*);/i.test(text);
}

function decodeBase64(text: string): string {
  return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
}

/** The HTML a text construct stands for (see the file comment). */
export function constructHtml(gathered: TextConstruct): string {
  const { root } = gathered;
  const attribute = (name: string) => gathered.attributes[name]?.value.trim().toLowerCase();
  if (!gathered.atom) {
    if (hasElements(root)) return serialize(root.children, false);
    const text = textContent(root);
    return TITLES.has(gathered.name) && !looksLikeHtml(text) ? escapeHtml(text) : text;
  }
  const mode = attribute("mode");
  const type = attribute("type") ?? "";
  if (mode === "base64") return decodeBase64(textContent(root));
  if (type === "xhtml") return serialize(unwrapDiv(root), true);
  // Markup where text was declared (or none declared): the markup is what the feed meant.
  const html = type === "html" || type === "text/html" || (mode === "escaped" && !type.startsWith("text/plain"));
  // Markup inside an html construct (TypePad's escaped HTML in a div): its text is HTML source.
  if (hasElements(root)) return serialize(root.children, !html);
  const text = textContent(root);
  if (html) return text;
  if (type === "" || type === "text" || type.startsWith("text/") || type.includes("xml")) return escapeHtml(text);
  // Atom 1.0: content of any other media type is base64.
  return mode === undefined ? decodeBase64(text) : escapeHtml(text);
}
