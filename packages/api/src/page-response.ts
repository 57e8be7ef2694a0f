import { prefersJson } from "@eventwire/core";
import type { Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiDeps } from "./deps";
import { strongEtag } from "./http-cache";
import { PAGE_CSP } from "./pages/layout";

/** What a page component renders to. */
export type RenderedPage = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Whether the request's Accept header asks for JSON rather than a page. */
export function wantsJson(c: Context): boolean {
  return prefersJson(c.req.header("accept"));
}

/**
 * Answers with a page: the HTML document, its Content-Security-Policy (no script at all), and
 * for a 200 the caching headers the feeds carry — a strong `ETag` (a hash of the body; the etag
 * middleware answers `If-None-Match` with 304) and `Cache-Control`; a 301 (a merged-away event)
 * may be kept as long. Other statuses are not stored. `headers`: more headers (a `Location`).
 */
export async function sendPage(
  c: Context,
  deps: ApiDeps,
  page: RenderedPage,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
) {
  const body = `<!DOCTYPE html>${await page}`;
  const maxAge = `public, max-age=${deps.config.cacheMaxAgeSeconds}`;
  const caching: Record<string, string> =
    status === 200
      ? { "Cache-Control": maxAge, ETag: strongEtag(body) }
      : { "Cache-Control": status === 301 ? maxAge : "no-store" };
  return c.body(body, status, {
    ...headers,
    ...caching,
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": PAGE_CSP,
    Vary: "Accept",
  });
}
