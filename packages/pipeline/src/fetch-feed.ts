export type FetchFeedRequest = {
  url: string;
  etag: string | null;
  lastModified: string | null;
  /** Total deadline for the response, body included, so a trickling server cannot hold a run. */
  timeoutMs: number;
  /** Bodies longer than this (after decompression) are cut off and refused. */
  maxBytes: number;
  userAgent: string;
};

export type FetchFeedOutcome =
  | { kind: "not-modified" }
  | { kind: "ok"; body: string; etag: string | null; lastModified: string | null; contentType: string | null }
  | { kind: "error"; message: string; retryable: boolean; status: number | null };

const ACCEPT =
  "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5";

class BodyTooLargeError extends Error {}

async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(`feed body exceeds the limit of ${maxBytes} bytes`);
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

/** The charset named by the Content-Type header, the XML declaration, or a byte-order mark. */
export function detectCharset(contentType: string | null, body: Uint8Array): string {
  const fromHeader = contentType?.match(/charset\s*=\s*"?([\w.:-]+)"?/i)?.[1];
  if (fromHeader) return fromHeader.toLowerCase();
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return "utf-8";
  if (body[0] === 0xff && body[1] === 0xfe) return "utf-16le";
  if (body[0] === 0xfe && body[1] === 0xff) return "utf-16be";
  const head = new TextDecoder("latin1").decode(body.subarray(0, 256));
  const fromProlog = head.match(/^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i)?.[1];
  return fromProlog ? fromProlog.toLowerCase() : "utf-8";
}

function decodeBody(contentType: string | null, body: Uint8Array): string {
  const charset = detectCharset(contentType, body);
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    // An encoding label TextDecoder does not know: UTF-8 is the feed formats' default.
    return new TextDecoder("utf-8").decode(body);
  }
}

/** A sentence for a network-level failure, naming the host and what went wrong. */
export function describeFetchError(error: unknown, url: string, timeoutMs: number): string {
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
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

/**
 * Conditional GET of a feed: sends the stored validators, answers `not-modified` on 304, reads
 * at most `maxBytes` within `timeoutMs`, and decodes the body by its declared charset. Never
 * throws: every failure is an outcome with a message.
 */
export async function fetchFeed(fetchFn: typeof fetch, request: FetchFeedRequest): Promise<FetchFeedOutcome> {
  const headers: Record<string, string> = { accept: ACCEPT, "user-agent": request.userAgent };
  if (request.etag) headers["if-none-match"] = request.etag;
  if (request.lastModified) headers["if-modified-since"] = request.lastModified;
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetchFn(request.url, { headers, signal, redirect: "follow" });
    if (response.status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "not-modified" };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      const reason = response.statusText ? ` ${response.statusText}` : "";
      return {
        kind: "error",
        message: `HTTP ${status}${reason} from ${request.url}`,
        retryable: status >= 500 || status === 429 || status === 408,
        status,
      };
    }
    const bytes = await readBounded(response, request.maxBytes);
    const contentType = response.headers.get("content-type");
    return {
      kind: "ok",
      body: decodeBody(contentType, bytes),
      etag: response.headers.get("etag"),
      lastModified: response.headers.get("last-modified"),
      contentType,
    };
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { kind: "error", message: `${error.message} (${request.url})`, retryable: false, status: null };
    }
    return { kind: "error", message: describeFetchError(error, request.url, request.timeoutMs), retryable: true, status: null };
  }
}
