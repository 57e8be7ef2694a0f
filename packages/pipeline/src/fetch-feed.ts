import { retryAfterSeconds } from "@eventwire/core";
import { decodeBody } from "./decode-body";
/**
 * Checks a URL before anything is sent to it: the source URL, every redirect hop and every
 * article page. It throws to refuse, and the error's message becomes the source's error. The
 * deployment passes its SSRF guard here; the default lets everything through.
 */
export type FetchGuard = (url: URL) => Promise<void>;

/** The guard that refuses nothing. */
export const allowEveryUrl: FetchGuard = async () => undefined;

export type FetchFeedRequest = {
  url: string;
  etag: string | null;
  lastModified: string | null;
  /** Total deadline for the response, every redirect and the body included, so a trickling server cannot hold a run. */
  timeoutMs: number;
  /** Bodies longer than this (after decompression) are cut off and refused. */
  maxBytes: number;
  userAgent: string;
  /** Redirects followed before giving up; a loop ends sooner. */
  maxRedirects?: number | undefined;
  guard?: FetchGuard | undefined;
  /** The Accept header: feed types unless told otherwise (an article page asks for HTML). */
  accept?: string | undefined;
};

/** What every answer may say beyond its body. */
type ResponseFacts = {
  /** The URL that answered, after any redirects: the base for the feed's relative links. */
  finalUrl: string;
  /** The URL that answered, when redirects led to it only through permanent (301/308) hops. */
  permanentUrl: string | null;
  /** `Cache-Control: max-age` of the answer, seconds. */
  maxAgeSeconds: number | null;
};

export type FetchFeedOutcome =
  | ({ kind: "not-modified" } & ResponseFacts)
  | ({ kind: "ok"; body: string; etag: string | null; lastModified: string | null; contentType: string | null } & ResponseFacts)
  | {
      kind: "error";
      message: string;
      retryable: boolean;
      status: number | null;
      /** A 429 or 503's `Retry-After`, seconds (unbounded here; the schedule bounds it). */
      retryAfterSeconds: number | null;
    };

const FEED_ACCEPT =
  "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5";

export const DEFAULT_MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECTS = new Set([301, 308]);

/** A failure already worded for the source's record. */
class FetchRefused extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

async function readBounded(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array();
  const tooLarge = () =>
    new FetchRefused(`the body is larger than the limit of ${maxBytes} bytes (counted after decompression; ${url})`, false);
  // A declared length past the limit is refused before a byte is read; the stream is still
  // counted, as the header may be absent or wrong and fetch decompresses as it reads.
  const declared = Number(response.headers.get("content-length"));
  if (response.headers.get("content-encoding") === null && Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A sentence for a network-level failure, naming the host and what went wrong. */
export function describeFetchError(error: unknown, url: string, timeoutMs: number): string {
  const host = hostOf(url);
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no complete response from ${host} within ${Math.round(timeoutMs / 100) / 10} s`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  switch (cause?.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `could not resolve host ${host} (${cause.code})`;
    case "ECONNREFUSED":
      return `connection refused by ${host}`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `connection to ${host} was reset`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return `connecting to ${host} timed out`;
    default: {
      const detail = cause?.message ?? (error instanceof Error ? error.message : String(error));
      return `request to ${host} failed: ${detail}`;
    }
  }
}

/** `max-age` of a Cache-Control header, seconds; null when absent. */
export function parseMaxAge(value: string | null): number | null {
  const match = value?.match(/(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i);
  return match?.[1] === undefined ? null : Number(match[1]);
}

type Followed = { response: Response; url: string; permanentUrl: string | null };

/**
 * Sends the request and follows redirects by hand: at most `maxRedirects`, each hop's target
 * checked by the guard first, a URL seen twice named as a loop.
 */
async function follow(
  fetchFn: typeof fetch,
  request: FetchFeedRequest,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Followed> {
  const guard = request.guard ?? allowEveryUrl;
  const maxRedirects = request.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const seen = new Set<string>();
  let url = request.url;
  let permanent = true;
  for (let hops = 0; ; hops += 1) {
    await runGuard(guard, url);
    seen.add(url);
    const response = await fetchFn(url, { headers, signal, redirect: "manual" });
    if (!REDIRECTS.has(response.status)) {
      return { response, url, permanentUrl: permanent && url !== request.url ? url : null };
    }
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get("location");
    if (location === null) {
      throw new FetchRefused(`HTTP ${response.status} redirect without a Location header from ${url}`, false);
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new FetchRefused(`redirect from ${url} to an unreadable address "${location.slice(0, 200)}"`, false);
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new FetchRefused(`redirect from ${url} to a non-http(s) address (${next.protocol})`, false);
    }
    next.hash = "";
    if (seen.has(next.href)) throw new FetchRefused(`redirect loop: ${url} leads back to ${next.href}`, false);
    if (hops + 1 > maxRedirects) {
      throw new FetchRefused(`more than ${maxRedirects} redirects, starting at ${request.url}`, false);
    }
    permanent &&= PERMANENT_REDIRECTS.has(response.status);
    url = next.href;
  }
}

async function runGuard(guard: FetchGuard, url: string): Promise<void> {
  try {
    await guard(new URL(url));
  } catch (error) {
    throw new FetchRefused(error instanceof Error ? error.message : String(error), false);
  }
}

/**
 * Conditional GET of a feed: sends the stored validators, follows a bounded number of
 * redirects (each checked by the guard), answers `not-modified` on 304, reads at most
 * `maxBytes` (decompressed) within `timeoutMs`, and decodes the body (`decodeBody`: its declared
 * charset, else one detected from the bytes).
 * Never throws: every failure is an outcome with a message.
 */
export async function fetchFeed(fetchFn: typeof fetch, request: FetchFeedRequest, now = new Date()): Promise<FetchFeedOutcome> {
  const headers: Record<string, string> = { accept: request.accept ?? FEED_ACCEPT, "user-agent": request.userAgent };
  if (request.etag) headers["if-none-match"] = request.etag;
  if (request.lastModified) headers["if-modified-since"] = request.lastModified;
  const signal = AbortSignal.timeout(request.timeoutMs);
  let answeredBy = request.url;
  try {
    const { response, url, permanentUrl } = await follow(fetchFn, request, headers, signal);
    answeredBy = url;
    const facts = { finalUrl: url, permanentUrl, maxAgeSeconds: parseMaxAge(response.headers.get("cache-control")) };
    if (response.status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "not-modified", ...facts };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      const reason = response.statusText ? ` ${response.statusText}` : "";
      const retryAfter = status === 429 || status === 503 ? retryAfterSeconds(response.headers.get("retry-after"), now) : null;
      return {
        kind: "error",
        message: `HTTP ${status}${reason} from ${url}${retryAfter === null ? "" : ` (retry after ${retryAfter} s)`}`,
        retryable: status >= 500 || status === 429 || status === 408,
        status,
        retryAfterSeconds: retryAfter,
      };
    }
    const bytes = await readBounded(response, request.maxBytes, url);
    const contentType = response.headers.get("content-type");
    return {
      kind: "ok",
      body: decodeBody(contentType, bytes).text,
      etag: response.headers.get("etag"),
      lastModified: response.headers.get("last-modified"),
      contentType,
      ...facts,
    };
  } catch (error) {
    if (error instanceof FetchRefused) {
      return { kind: "error", message: error.message, retryable: error.retryable, status: null, retryAfterSeconds: null };
    }
    return {
      kind: "error",
      message: describeFetchError(error, answeredBy, request.timeoutMs),
      retryable: true,
      status: null,
      retryAfterSeconds: null,
    };
  }
}
