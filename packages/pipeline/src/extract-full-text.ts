import type { Article, Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { fetchFeed } from "./fetch-feed";

/** A feed text shorter than this is a summary worth replacing with the page's text. */
export const FULL_TEXT_BELOW_CHARS = 500;

// An article page larger than this is refused, whatever the feed size limit: a parsed page takes
// many times its size in memory.
export const MAX_PAGE_BYTES = 1_048_576;

const HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1";

export type FullTextResult = { ok: true; text: string } | { ok: false; message: string };

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
    // Full text is opt-in per source: the DOM and Readability load on the first page, not at
    // every cold start.
    const { extractMainText } = await import("./main-text");
    const text = extractMainText(outcome.body, url);
    return text === null ? { ok: false, message: `no main text found in ${url}` } : { ok: true, text };
  } catch (error) {
    return { ok: false, message: `could not read the page ${url}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export const DEFAULT_FULL_TEXT_PER_FETCH = 10;

/**
 * For a source with `fullText`, replaces the short feed text of up to `fullTextPerFetch`
 * articles with the main text of their pages. The content hash stays the feed's, so the next
 * fetch of the same item still finds it unchanged. A page that fails leaves the feed text.
 */
export async function withFullText(deps: PipelineDeps, source: Source, articles: Article[]): Promise<Article[]> {
  if (!source.fullText) return articles;
  let budget = deps.config.fullTextPerFetch ?? DEFAULT_FULL_TEXT_PER_FETCH;
  const out: Article[] = [];
  for (const article of articles) {
    if (budget <= 0 || article.url === null || article.text.length >= FULL_TEXT_BELOW_CHARS) {
      out.push(article);
      continue;
    }
    budget -= 1;
    const page = await fetchFullText(deps, article.url);
    if (page.ok && page.text.length > article.text.length) out.push({ ...article, text: page.text });
    else {
      if (!page.ok) deps.log.warn("full text not fetched", { sourceId: source.id, url: article.url, error: page.message });
      out.push(article);
    }
  }
  return out;
}
