// Query parameters that only track a click and never select content.
const TRACKING_PREFIXES = ["utm_", "mc_", "pk_", "piwik_", "hsa_", "oly_", "vero_", "at_", "_hs"];
const TRACKING_NAMES = new Set([
  "fbclid",
  "gclid",
  "gclsrc",
  "dclid",
  "msclkid",
  "yclid",
  "twclid",
  "igshid",
  "mkt_tok",
  "ref_src",
  "ref_url",
  "cmpid",
  "ocid",
  "smid",
  "smtyp",
]);

/** Longest URL we keep; longer ones are refused rather than stored. */
export const MAX_URL_LENGTH = 2048;

function isTrackingParam(rawName: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, " ")).toLowerCase();
  } catch {
    name = rawName.toLowerCase();
  }
  return TRACKING_NAMES.has(name) || TRACKING_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function parse(raw: string, base: string | undefined): URL | null {
  try {
    return new URL(raw);
  } catch {
    // Not absolute: resolve it, if there is a usable base.
  }
  if (base === undefined) return null;
  try {
    return new URL(raw, base);
  } catch {
    return null;
  }
}

/**
 * The canonical form of an article or feed URL: resolved against `base` when relative, http(s)
 * only, host lower-cased, default port, credentials and tracking parameters dropped, remaining
 * parameters sorted by name with their encoding untouched. The fragment goes, unless it is a
 * client-side route ("#/…" or "#!…"), which names a page of its own. Returns null when the input
 * is not an http(s) URL after resolution, or is longer than MAX_URL_LENGTH.
 */
export function canonicalizeUrl(raw: string, base?: string): string | null {
  const trimmed = raw.trim();
  if (trimmed === "" || trimmed.length > MAX_URL_LENGTH) return null;
  const url = parse(trimmed, base);
  if (url === null) return null;
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.hostname === "") return null;
  url.username = "";
  url.password = "";
  if (!/^#[/!]/.test(url.hash)) url.hash = "";
  // Work on the raw query so values keep their encoding ("%20" stays "%20", "?a" stays "?a").
  const pairs = url.search
    .slice(1)
    .split("&")
    .filter((pair) => pair !== "" && !isTrackingParam(pair.split("=")[0] ?? ""));
  pairs.sort((a, b) => {
    const nameA = a.split("=")[0] ?? "";
    const nameB = b.split("=")[0] ?? "";
    return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
  });
  url.search = pairs.length > 0 ? `?${pairs.join("&")}` : "";
  const result = url.toString();
  return result.length > MAX_URL_LENGTH ? null : result;
}

/** Only absolute http(s) links are written as links: never `javascript:`, `data:` or the like. */
export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
