import { findAgency, findAgencyByHost, foldName } from "./agencies";
import { type Credit, readCredit } from "./credit-line";

/**
 * An outlet as an event counts it: `key` compares (one outlet, one key, however its name is
 * written), `name` is shown.
 */
export type Outlet = { key: string; name: string };

/** A web address as a name: "reuters.com", "www.example.co.uk". */
const HOST = /^(?:https?:\/\/)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\/?$/i;
/** Second-level labels under which a country's outlets register ("bbc.co.uk", "aa.com.tr"). */
const SECOND_LEVEL = new Set(["co", "com", "org", "net", "gov", "ac", "edu"]);
/** Words a name may end with that say nothing of which outlet it is ("BBC News", "Example Online"). */
const GENERIC_TAIL = new Set(["news", "online", "com"]);

/** The distinctive label of a host: "bbc" of "www.bbc.co.uk", "example" of "example.com". */
function hostLabel(host: string): string | null {
  const labels = host.toLowerCase().split(".");
  if (labels[0] === "www") labels.shift();
  if (labels.length < 2) return null;
  labels.pop();
  if (labels.length > 1 && SECOND_LEVEL.has(labels.at(-1) as string)) labels.pop();
  return labels.at(-1) ?? null;
}

/**
 * The outlet a name stands for: a listed agency under any of its names ("AP" and "The
 * Associated Press" are one), else the name folded (case, accents, punctuation, a leading
 * "the", a trailing "News" dropped: "Levant Wire", "levant-wire" and "LEVANT WIRE News" are one).
 * A web address stands for its distinctive label. Null for a name with no letters or digits.
 */
export function outletOfName(name: string): Outlet | null {
  const trimmed = name.trim();
  const host = HOST.exec(trimmed);
  const label = host === null ? null : hostLabel(host[1] as string);
  if (label !== null) {
    const agency = findAgencyByHost(label);
    if (agency !== null) return { key: agency.key, name: agency.name };
  }
  const agency = findAgency(label ?? trimmed);
  if (agency !== null) return { key: agency.key, name: agency.name };
  const words = foldName(label ?? trimmed).split(" ");
  while (words.length > 1 && GENERIC_TAIL.has(words.at(-1) as string)) words.pop();
  const key = words.join("");
  return key === "" ? null : { key, name: trimmed };
}

/**
 * The outlet of an article's own source: its title, without what a feed adds after a
 * separator ("Reuters: World News", "Example Times - Politics" are Reuters and Example Times);
 * else, untitled, the source's id read as a name (an address such as "example.com" names its
 * outlet; a hashed id stays itself).
 */
export function sourceOutlet(sourceId: string, sourceTitle: string | null | undefined): Outlet {
  const title = sourceTitle?.trim() ?? "";
  const main = title.split(/\s+[|–—-]\s+|:\s+/)[0]?.trim() ?? "";
  const outlet = title === "" ? outletOfName(sourceId) : outletOfName(main === "" ? title : main);
  const name = title === "" ? sourceId : title;
  return { key: outlet?.key ?? sourceId, name };
}

/** What attribution reads of an article. */
export type AttributedArticle = { sourceId: string; sourceTitle?: string | null; author?: string | null; text: string };

/**
 * Whose report an article is: `credited`, the outlet its text or author field credits (a
 * syndicated copy, a wire story), else `own`, its source's. `credit` says where the credit was read.
 */
export type Attribution = { own: Outlet; credit: (Credit & { outlet: Outlet }) | null; credited: Outlet };

/** Reads whose report an article is: the outlet it credits, else its own source. */
export function attributeArticle(article: AttributedArticle): Attribution {
  const own = sourceOutlet(article.sourceId, article.sourceTitle);
  const read = readCredit(article.text, article.author ?? null);
  const outlet = read === null ? null : outletOfName(read.name);
  const credit = read === null || outlet === null ? null : { ...read, outlet };
  return { own, credit, credited: credit?.outlet ?? own };
}
