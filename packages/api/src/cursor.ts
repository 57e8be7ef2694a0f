import { createHmac, timingSafeEqual } from "node:crypto";
import type { PageKey } from "@eventwire/store";
import { ApiError } from "./errors";

// Cursors carry a table key; the HMAC makes them tamper-evident, so a client cannot steer a
// query to an arbitrary key, and a cursor from one listing is refused by another.
function sign(secret: string, scope: string, payload: string): string {
  return createHmac("sha256", secret).update(scope).update("\u0000").update(payload).digest("base64url").slice(0, 22);
}

/** An opaque cursor for continuing the listing `scope` after `key`. */
export function encodeCursor(secret: string, scope: string, key: PageKey): string {
  const payload = Buffer.from(JSON.stringify(key)).toString("base64url");
  return `${payload}.${sign(secret, scope, payload)}`;
}

/** The key inside a cursor made by `encodeCursor` for the same scope; a 400 otherwise. */
export function decodeCursor(secret: string, scope: string, cursor: string): PageKey {
  const invalid = new ApiError(400, "invalid_parameter", 'query parameter "cursor": not a cursor this listing issued');
  const [payload, signature, extra] = cursor.split(".");
  if (payload === undefined || signature === undefined || extra !== undefined) throw invalid;
  const expected = Buffer.from(sign(secret, scope, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  if (key === null || typeof key !== "object" || Array.isArray(key)) throw invalid;
  const entries = Object.entries(key);
  if (entries.length === 0 || entries.some(([, value]) => typeof value !== "string")) throw invalid;
  return Object.fromEntries(entries) as PageKey;
}
