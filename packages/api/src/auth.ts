import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Requires `Authorization: Bearer <admin key>`; compares in constant time. */
export function requireAdmin(deps: ApiDeps): MiddlewareHandler {
  return async (c, next) => {
    const adminKey = deps.config.adminKey;
    if (adminKey === null) {
      throw new ApiError(503, "admin_disabled", "management routes are off: no admin key is configured on the server");
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined || !timingSafeEqual(digest(match[1]), digest(adminKey))) {
      c.header("WWW-Authenticate", 'Bearer realm="eventwire"');
      throw new ApiError(401, "unauthorized", "this route needs the admin key: send Authorization: Bearer <EVENTWIRE_ADMIN_KEY>");
    }
    await next();
  };
}
