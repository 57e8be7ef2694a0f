// How well an Accept header names `type`: the quality of its most specific matching range
// (2: the type itself, 1: `major/*`, 0: `*/*`; -1 and quality 0 when none matches).
function acceptMatch(accept: string, type: string): { specificity: number; q: number } {
  const [major] = type.split("/");
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(",")) {
    const [range = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === "*/*" ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const qParam = params.find((param) => param.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    best = { specificity, q: Number.isFinite(q) ? q : 0 };
  }
  return best;
}

/** The quality an Accept header gives `type`: its own entry's, else a wildcard's; 0 when none names it. */
export function acceptQuality(accept: string, type: string): number {
  return acceptMatch(accept, type).q;
}

/**
 * Whether a request asks for JSON rather than a page: its Accept header rates `application/json`
 * above `text/html`, or as high but by name while HTML only falls under a wildcard (a client that
 * sends `application/json` and the any-type range). No header, the any-type range alone, or a
 * browser's header asks for a page.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const json = acceptMatch(accept, "application/json");
  const html = acceptMatch(accept, "text/html");
  if (json.q !== html.q) return json.q > html.q;
  return json.q > 0 && json.specificity > html.specificity;
}
