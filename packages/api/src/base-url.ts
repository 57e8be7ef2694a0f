import type { Context } from "hono";
import type { ApiDeps } from "./deps";

/** The absolute base for links we hand out, without a trailing slash. */
export function baseUrl(c: Context, deps: ApiDeps): string {
  const configured = deps.config.publicUrl;
  if (configured !== null) return configured.replace(/\/+$/, "");
  return new URL(c.req.url).origin;
}
