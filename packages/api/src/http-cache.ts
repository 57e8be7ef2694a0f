import { createHash } from "node:crypto";
import type { Context, Env, Handler, Input, MiddlewareHandler } from "hono";
import type { BlankInput } from "hono/types";
import type { Loaded, ResponseCache } from "./response-cache";

/** A strong validator: a hash of the exact bytes served. */
export function strongEtag(body: string | Uint8Array): string {
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
  /** 200, or 301 for a merged-away event (with its `Location` in `headers`). */
  status?: 200 | 301;
  body: string;
  contentType: string;
  cacheControl: string;
  /** When what the body shows last changed, to whole seconds; null where no time says it. */
  lastModified: Date | null;
  vary?: string | undefined;
  /** More headers every answer of this body carries. */
  headers?: Record<string, string> | undefined;
  /** The theme whose changes make this body stale; null or absent: any theme's can. */
  theme?: string | null | undefined;
};

/** What sending a cached answer reads of the app's deps. */
type CacheDeps = {
  now: () => Date;
  config: { cacheMaxAgeSeconds: number };
  responseCache?: ResponseCache<PreparedBody> | null;
};

/** A body ready to send any number of times: its bytes, its ETag and its headers worked out once. */
export type PreparedBody = {
  bytes: Uint8Array<ArrayBuffer>;
  /** The headers a 304 carries too. */
  validators: Record<string, string>;
  /** The validators, the content type and the extra headers: what a 200 carries. */
  headers: Record<string, string>;
  lastModified: Date | null;
  status: 200 | 301;
};

/** Encodes and hashes a body once, for `sendPrepared`. */
function prepareBody(answer: CachedBody): PreparedBody {
  const bytes = new TextEncoder().encode(answer.body);
  const validators: Record<string, string> = {
    "Cache-Control": answer.cacheControl,
    // Set here so a 304 for If-Modified-Since carries it too.
    ETag: strongEtag(bytes),
    ...(answer.lastModified !== null ? { "Last-Modified": answer.lastModified.toUTCString() } : {}),
    ...(answer.vary !== undefined ? { Vary: answer.vary } : {}),
  };
  return {
    bytes,
    validators,
    headers: { ...answer.headers, ...validators, "Content-Type": answer.contentType },
    lastModified: answer.lastModified,
    status: answer.status ?? 200,
  };
}

/**
 * Answers with a prepared body and its validators: a strong `ETag` (a hash of the body),
 * `Last-Modified` when known, `Cache-Control`; `304` on a matching `If-Modified-Since` here, on
 * `If-None-Match` in the etag middleware (which keeps this ETag). `HEAD` gets the same headers.
 */
function sendPrepared(c: Context, deps: CacheDeps, prepared: PreparedBody): Response {
  // If-None-Match wins when both are sent (RFC 9110 §13.1.3).
  if (
    prepared.status === 200 &&
    prepared.lastModified !== null &&
    c.req.header("if-none-match") === undefined &&
    notModifiedSince(c.req.header("if-modified-since"), prepared.lastModified, deps.now())
  ) {
    return c.body(null, 304, prepared.validators);
  }
  return c.body(prepared.bytes, prepared.status, prepared.headers);
}

/** `sendPrepared` for a body used once. */
export function sendCached(c: Context, deps: CacheDeps, answer: CachedBody): Response {
  return sendPrepared(c, deps, prepareBody(answer));
}

/** A public JSON read, cacheable for the configured max-age. */
export function jsonBody(
  deps: CacheDeps,
  value: unknown,
  options: { lastModified?: Date | null; cacheControl?: string; theme?: string | null } = {},
): CachedBody {
  return {
    body: JSON.stringify(value),
    contentType: "application/json",
    cacheControl: options.cacheControl ?? `public, max-age=${deps.config.cacheMaxAgeSeconds}`,
    lastModified: options.lastModified ?? null,
    theme: options.theme ?? null,
  };
}

/**
 * The permanent redirect of a merged-away event to the event that answers for it now, with a
 * JSON body saying so (`value`); cached like the reads, as a later merge can move it on.
 */
export function redirectBody(deps: CacheDeps, location: string, value: unknown, theme: string | null): CachedBody {
  return { ...jsonBody(deps, value, { theme }), status: 301, headers: { Location: location } };
}

/** A public JSON read, cached for the configured max-age, with its validators. */
export function sendJson(
  c: Context,
  deps: CacheDeps,
  value: unknown,
  options: { lastModified?: Date | null; cacheControl?: string } = {},
) {
  return sendCached(c, deps, jsonBody(deps, value, options));
}

/**
 * How long this process may keep a body, in ms: its `max-age`, and nothing for what a shared
 * cache must not keep or reuse unasked (`private`, `no-store`, `no-cache`) or what sets a cookie.
 */
export function keepableMs(answer: CachedBody): number {
  if (/\b(private|no-store|no-cache)\b/i.test(answer.cacheControl)) return 0;
  if (Object.keys(answer.headers ?? {}).some((name) => name.toLowerCase() === "set-cookie")) return 0;
  const maxAge = /\bmax-age=(\d+)/i.exec(answer.cacheControl);
  return maxAge === null ? 0 : Number(maxAge[1]) * 1000;
}

/** What the response cache holds of one answer. */
function toLoaded(answer: CachedBody): Loaded<PreparedBody> {
  const value = prepareBody(answer);
  return { value, size: value.bytes.byteLength, tag: answer.theme ?? null, freshMs: keepableMs(answer) };
}

/** The key a body is kept under: the URL, and whatever else picks the body (`variant`). */
function cacheKey<C extends Context>(c: C, variant: ((c: C) => string) | undefined): string {
  return variant === undefined ? c.req.url : `${c.req.url}\n${variant(c)}`;
}

/** Whether this request may be answered from the response cache (and its answer kept): not when it carries credentials. */
function cacheable(c: Context): boolean {
  return c.req.header("authorization") === undefined;
}

/**
 * A public GET handler: `load` reads and renders, and this answers with the body's validators.
 * With a response cache in the deps, bodies are kept per URL (scheme, host, path and query: all a
 * body's links are made from) and `variant` (whatever else picks the body, such as the format an
 * Accept header chose), so most requests read nothing from the table. Requests that carry
 * credentials are neither served from it nor stored in it; a `load` that throws stores nothing.
 */
export function cachedGet<P extends string, I extends Input = BlankInput>(
  deps: CacheDeps,
  load: (c: Context<Env, P, I>) => Promise<CachedBody>,
  variant?: (c: Context<Env, P, I>) => string,
): Handler<Env, P, I> {
  return async (c) => {
    const cache = deps.responseCache;
    if (cache === undefined || cache === null || !cacheable(c)) return sendCached(c, deps, await load(c));
    return sendPrepared(c, deps, await cache.get(cacheKey(c, variant), async () => toLoaded(await load(c))));
  };
}

/**
 * Answers with a fresh kept body before the route's own work, its validation included (a kept
 * body was made for a request that passed it); otherwise the route runs, `cachedGet` in it.
 */
export function servedFresh(deps: CacheDeps): MiddlewareHandler {
  return async (c, next) => {
    const kept = cacheable(c) ? deps.responseCache?.fresh(cacheKey(c, undefined)) : undefined;
    if (kept !== undefined) return sendPrepared(c, deps, kept);
    await next();
  };
}
