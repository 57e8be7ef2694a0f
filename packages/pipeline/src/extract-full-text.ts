import { ARTICLE_LIMITS, htmlToText, truncateText } from "@eventwire/core";
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import type { PipelineDeps } from "./deps";
import { fetchFeed } from "./fetch-feed";

/** A feed text shorter than this is a summary worth replacing with the page's text. */
export const FULL_TEXT_BELOW_CHARS = 500;

// Pages with more elements than this are not parsed at all (Readability's own limit cannot count
// linkedom's elements), which bounds parsing time and memory.
export const MAX_PAGE_ELEMENTS = 20_000;
// An article page larger than this is refused, whatever the feed size limit: a parsed page takes
// many times its size in memory.
export const MAX_PAGE_BYTES = 1_048_576;

const HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1";

export type FullTextResult = { ok: true; text: string } | { ok: false; message: string };

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

/**
 * Fetches an article's page with the same guard, deadline, size cap and redirect bound as
 * feeds, and extracts its main text. Never throws.
 */
export async function fetchFullText(deps: PipelineDeps, url: string): Promise<FullTextResult> {
  const outcome = await fetchFeed(
    deps.fetch,
    {
      url,
      etag: null,
      lastModified: null,
      timeoutMs: deps.config.fetchTimeoutMs,
      maxBytes: Math.min(deps.config.maxFeedBytes, MAX_PAGE_BYTES),
      userAgent: deps.config.userAgent,
      maxRedirects: deps.config.maxRedirects,
      guard: deps.guard,
      accept: HTML_ACCEPT,
    },
    deps.now(),
  );
  if (outcome.kind === "error") return { ok: false, message: outcome.message };
  if (outcome.kind === "not-modified") return { ok: false, message: `unexpected 304 from ${url}` };
  try {
    const text = extractMainText(outcome.body, url);
    return text === null ? { ok: false, message: `no main text found in ${url}` } : { ok: true, text };
  } catch (error) {
    return { ok: false, message: `could not read the page ${url}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
