import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError, type ErrorCode } from "./errors";

/** The largest request body read, in bytes (64 KiB): every JSON body the API takes fits in a few. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The longest URL (path and query) answered, in characters (8 KiB); a cursor is a few hundred. */
export const MAX_REQUEST_URL_LENGTH = 8 * 1024;

const BODY_TOO_LARGE = `the request body is larger than ${MAX_BODY_BYTES} bytes (${MAX_BODY_BYTES / 1024} KiB), the most this server reads`;
const URL_TOO_LONG = `the URL is longer than ${MAX_REQUEST_URL_LENGTH} characters, the most this server reads`;

/**
 * Bounds what a request may make the app read: a URL past MAX_REQUEST_URL_LENGTH is a 414 and a body
 * past MAX_BODY_BYTES a 413, both as the JSON error. A body is counted as it streams in, so
 * one without a Content-Length (chunked) is cut off at the limit too, never read in full.
 */
export function requestLimits(): MiddlewareHandler[] {
  const urlLimit: MiddlewareHandler = async (c, next) => {
    // The path and query as sent; the origin is the server's own.
    const url = c.req.url;
    const schemeAndHost = url.indexOf("/", url.indexOf("//") + 2);
    if (url.length - Math.max(schemeAndHost, 0) > MAX_REQUEST_URL_LENGTH) throw new ApiError(414, "uri_too_long", URL_TOO_LONG);
    await next();
  };
  const bodyBound = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, "payload_too_large", BODY_TOO_LARGE);
    },
  });
  // A GET or HEAD has no body the app reads (the runtime's Request drops it); asking for one
  // would make the Node adapter build a whole Request for every read.
  const bodyLimitUnlessRead: MiddlewareHandler = (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : bodyBound(c, next);
  return [urlLimit, bodyLimitUnlessRead];
}

/** A JSON error a server writes itself, outside the app (it has no request id). */
export type RawErrorAnswer = { status: number; statusText: string; body: string };

function answer(status: number, statusText: string, code: ErrorCode, message: string): RawErrorAnswer {
  return { status, statusText, body: JSON.stringify({ error: { code, message, requestId: null } }) };
}

/**
 * What a Node HTTP server answers a request it could not parse (its `clientError` event), as
 * the JSON error rather than Node's empty status line: a request line past the server's header
 * limit is a 414 naming the URL, other oversized headers a 431, a stalled request a 408, and
 * anything else a 400.
 */
export function clientErrorAnswer(error: { code?: string | undefined; rawPacket?: Uint8Array | undefined }): RawErrorAnswer {
  if (error.code === "HPE_HEADER_OVERFLOW") {
    const packet = error.rawPacket ?? new Uint8Array();
    const lineEnd = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).indexOf("\r\n");
    const requestLine = lineEnd === -1 ? packet.byteLength : lineEnd;
    if (requestLine > MAX_REQUEST_URL_LENGTH) return answer(414, "URI Too Long", "uri_too_long", URL_TOO_LONG);
    return answer(
      431,
      "Request Header Fields Too Large",
      "headers_too_large",
      "the request's headers are larger than this server reads",
    );
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return answer(408, "Request Timeout", "request_timeout", "the request did not arrive in time");
  }
  return answer(400, "Bad Request", "bad_request", "not a readable HTTP/1.1 request");
}
