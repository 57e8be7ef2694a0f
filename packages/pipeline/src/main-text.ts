import { ARTICLE_LIMITS, htmlToText, truncateText } from "@eventwire/core";
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";

// Pages with more elements than this are not parsed at all (Readability's own limit cannot count
// linkedom's elements), which bounds parsing time and memory.
export const MAX_PAGE_ELEMENTS = 20_000;

/** The main text of an HTML page, by Mozilla's Readability over a linkedom document; null when it finds none. */
export function extractMainText(html: string, url: string): string | null {
  const elements = html.match(/<[a-zA-Z]/g)?.length ?? 0;
  if (elements > MAX_PAGE_ELEMENTS) throw new Error(`it has ${elements} elements, more than the ${MAX_PAGE_ELEMENTS} read`);
  const { document } = parseHTML(html);
  // Readability resolves relative links against the document's URL; linkedom has none of its own.
  const base = document.createElement("base");
  base.setAttribute("href", url);
  document.head?.appendChild(base);
  const parsed = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
    maxElemsToParse: MAX_PAGE_ELEMENTS,
  }).parse();
  const text = htmlToText(parsed?.content ?? "");
  return text === "" ? null : truncateText(text, ARTICLE_LIMITS.text);
}
