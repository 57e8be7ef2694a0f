import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorCode =
  | "invalid_parameter"
  | "invalid_body"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "rate_limited"
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
