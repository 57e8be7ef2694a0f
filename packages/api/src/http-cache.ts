import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { ApiDeps } from "./deps";

/** A strong validator: a hash of the exact bytes served. */
export function strongEtag(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

// An article is stamped before its write lands, and HTTP dates have whole seconds, so a date in
// the last moments can still gain articles. Dates are trusted for 304s once this much older;
// until then only the ETag (a hash of the body) answers conditional requests.
const LAST_MODIFIED_SETTLE_MS = 60_000;

function notModifiedSince(ifModifiedSince: string | undefined, lastModified: Date, now: Date): boolean {
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since) || now.getTime() - lastModified.getTime() < LAST_MODIFIED_SETTLE_MS) return false;
  return lastModified.getTime() <= since;
}

export type CachedBody = {
  body: string;
  contentType: string;
  cacheControl: string;
  /** When what the body shows last changed, to whole seconds; null where no time says it. */
  lastModified: Date | null;
  vary?: string | undefined;
};

/**
 * Answers with a body and its validators: a strong `ETag` (a hash of the body), `Last-Modified`
 * when known, `Cache-Control`; `304` on a matching `If-Modified-Since` here, on `If-None-Match`
 * in the etag middleware (which keeps this ETag). `HEAD` gets the same headers.
 */
export function sendCached(c: Context, deps: ApiDeps, answer: CachedBody): Response {
  const headers: Record<string, string> = {
    "Cache-Control": answer.cacheControl,
    // Set here so a 304 for If-Modified-Since carries it too.
    ETag: strongEtag(answer.body),
    ...(answer.lastModified !== null ? { "Last-Modified": answer.lastModified.toUTCString() } : {}),
    ...(answer.vary !== undefined ? { Vary: answer.vary } : {}),
  };
  // If-None-Match wins when both are sent (RFC 9110 §13.1.3).
  if (
    answer.lastModified !== null &&
    c.req.header("if-none-match") === undefined &&
    notModifiedSince(c.req.header("if-modified-since"), answer.lastModified, deps.now())
  ) {
    return c.body(null, 304, headers);
  }
  return c.body(answer.body, 200, { ...headers, "Content-Type": answer.contentType });
}

/** A public JSON read, cached for the configured max-age, with its validators. */
export function sendJson(
  c: Context,
  deps: ApiDeps,
  value: unknown,
  options: { lastModified?: Date | null; cacheControl?: string } = {},
) {
  return sendCached(c, deps, {
    body: JSON.stringify(value),
    contentType: "application/json",
    cacheControl: options.cacheControl ?? `public, max-age=${deps.config.cacheMaxAgeSeconds}`,
    lastModified: options.lastModified ?? null,
  });
}
