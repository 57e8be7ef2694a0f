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

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_NAMES.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The canonical form of an article or feed URL: resolved against `base`, http(s) only, host
 * lower-cased, default port, fragment and tracking parameters dropped, remaining parameters
 * sorted. Returns null when the input is not an absolute http(s) URL after resolution.
 */
export function canonicalizeUrl(raw: string, base?: string): string | null {
  const trimmed = raw.trim();
  if (trimmed === "") return null;
  let url: URL;
  try {
    url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.hostname === "") return null;
  url.hash = "";
  url.username = "";
  url.password = "";
  const kept = [...url.searchParams.entries()].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.toString();
}
