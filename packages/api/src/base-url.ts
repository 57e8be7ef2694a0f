import type { Context } from "hono";
import type { ApiDeps } from "./deps";

/** The absolute base for links we hand out, without a trailing slash. */
export function baseUrl(c: Context, deps: ApiDeps): string {
  const configured = deps.config.publicUrl;
  if (configured !== null) return configured.replace(/\/+$/, "");
  return new URL(c.req.url).origin;
}

/** `url` with the given query parameters; null and undefined ones are left out. */
export function withQuery(url: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text === "" ? url : `${url}?${text}`;
}
