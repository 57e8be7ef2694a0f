import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorCode =
  | "invalid_parameter"
  | "invalid_body"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "rate_limited"
  /** 413: the request body is past MAX_BODY_BYTES. */
  | "payload_too_large"
  /** 415: a body that is not sent as application/json. */
  | "unsupported_media_type"
  /** 414: the URL is past MAX_REQUEST_URL_LENGTH. */
  | "uri_too_long"
  /** 431: the request's headers are past what the server reads. */
  | "headers_too_large"
  /** 400: not a readable HTTP request at all. */
  | "bad_request"
  /** 408: the request did not arrive in time. */
  | "request_timeout"
  | "admin_disabled"
  | "unavailable"
  /** 502: a function the request needed (the ingest worker) failed or answered nonsense. */
  | "upstream_failed"
  /** 504: that function did not answer in time. */
  | "upstream_timeout"
  | "internal";

/** A request-path failure with the HTTP status and code the client sees. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The JSON error body every route uses. */
export function errorBody(c: Context, code: ErrorCode, message: string) {
  return { error: { code, message, requestId: (c.get("requestId") as string | undefined) ?? null } };
}
