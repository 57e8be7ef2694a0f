import { findAgency, foldName } from "./agencies";

/**
 * Where an article names the outlet whose report it is:
 * - `dateline`: its opening, "BEIRUT (Reuters) -", "DAMASCUS, Syria (AP) —", "Beirut, May 4 (AFP) -";
 * - `credit-line`: its closing, after the last sentence: "(Levant Wire)", "— Reuters", "Source: AFP";
 * - `byline`: a first line "By Jane Doe | AFP", "By JANE DOE Associated Press Writer";
 * - `author`: the feed's author field, "AFP", "Jane Doe, Reuters", "Reuters Staff";
 * - `copyright`: a closing "Copyright 2026 The Associated Press. All rights reserved."
 */
export type CreditForm = "dateline" | "credit-line" | "byline" | "author" | "copyright";

/** An outlet an article credits, with the name as the article writes it. */
export type Credit = { name: string; form: CreditForm };

/** How much of each end of a text a credit is looked for in. */
const END_CHARS = 300;

/** Words that make a closing parenthesis a caption, a note or a label rather than an outlet. */
const NOT_AN_OUTLET = new Set(
  (
    "photo photos image images picture pictures video videos file files handout graphic graphics map maps illustration " +
    "updated update correction corrected opinion analysis editorial exclusive sponsored advertisement ad watch listen " +
    "read more live breaking developing continued reporting editing writing note pictured above below see story " +
    "report reports archive translated translation subscribe paid content partner contributed"
  ).split(" "),
);

/** Lower-case words an outlet's name may hold between capitalised ones ("Voice of America", "Al-Ahram"). */
const CONNECTORS = new Set(["of", "the", "and", "for", "de", "du", "des", "der", "la", "le", "el", "al", "en", "y", "&"]);

/** Roles a byline puts after an agency's name ("Associated Press Writer", "Reuters staff"). */
const ROLE = /\s+(?:staff(?:\s+writers?)?|writers?|correspondents?|reporters?|editors?|desk|contributors?)$/i;

/** The text of a sentence's end: the credit comes after it. */
const AFTER_SENTENCE = String.raw`(?:[.!?…"”’'»)\]]|\n)`;
const DASH = "(?:—|–|-{1,2})";

const TRAILING_PARENTHESIS = new RegExp(`${AFTER_SENTENCE}\\s*\\(\\s*([^()\\n]{2,60}?)\\s*\\)\\s*\\.?$`, "u");
const TRAILING_DASH = new RegExp(`${AFTER_SENTENCE}\\s*${DASH}\\s*([^\\n—–-][^\\n—–]{1,59}?)\\s*\\.?$`, "u");
const TRAILING_SOURCE = new RegExp(`${AFTER_SENTENCE}\\s*(?:Source|Via|Credit)\\s*:?\\s+([^\\n:]{2,60}?)\\s*\\.?$`, "u");
const DATELINE = new RegExp(`^(?:([^()\\n]{1,60}?)\\s*)?\\(([^()\\n]{2,60})\\)\\s*${DASH}\\s*\\S`, "u");
const BYLINE = /^\s*By\s+([^\n]{2,120}?)\s*\n\s*/u;
const COPYRIGHT =
  /(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?:by\s+)?([\p{L}][\p{L}\p{N} .&'’-]{1,60}?)\s*(?:[.,;]|\s+all rights|$)/iu;

/**
 * A credited outlet's name as written, or null: a listed agency under any of its names, or,
 * where `anyOutlet`, a name that reads as one (up to six words, each capitalised but for
 * connectors such as "of", no digits runs or separators, none of the words of a caption or a
 * note: "(AP Photo/Jane Doe)", "(File)", "(Reporting by …; Editing by …)" are not credits).
 */
function creditedName(raw: string, anyOutlet: boolean): string | null {
  const name = raw
    .trim()
    .replace(/^(?:via|from)\s+/i, "")
    .replace(/[.,;:]+$/, "")
    .trim();
  if (name === "") return null;
  if (findAgency(name) !== null) return name;
  if (!anyOutlet) return null;
  if (name.length > 60 || /[/\\;:,@#%=+*<>"“”|]|\d{3,}/u.test(name)) return null;
  const words = name.split(/\s+/);
  if (words.length > 6) return null;
  for (const [index, word] of words.entries()) {
    const folded = foldName(word);
    if (NOT_AN_OUTLET.has(folded)) return null;
    const inner = index > 0 && index < words.length - 1;
    if (inner && CONNECTORS.has(word)) continue;
    // Capitalised, or an Arabic article before a capitalised name ("al-Monitor").
    if (!/^(?:(?:al|el|ad|an|ar|as|ash|at|az)-)?[\p{Lu}\p{N}]/u.test(word)) return null;
  }
  return name;
}

/** An agency a byline or author field names as a whole part ("Jane Doe | AFP", "Jane Doe, Reuters Staff"). */
function agencyInByline(byline: string): string | null {
  const whole = creditedName(byline.replace(ROLE, ""), false);
  if (whole !== null) return whole;
  for (const part of byline.split(/\s*(?:[|,;/(){}[\]•·]|\s[-–—]\s|\bfor\b|\bof\b)\s*/u)) {
    const name = creditedName(part.replace(ROLE, ""), false);
    if (name !== null) return name;
  }
  // "JANE DOE Associated Press Writer": the agency ends the byline. A one-word name there must
  // be an acronym, as a surname may be an agency's name.
  const words = byline.replace(ROLE, "").trim().split(/\s+/);
  for (let start = 1; start < words.length; start += 1) {
    const tail = words.slice(start);
    const name = creditedName(tail.join(" "), false);
    if (name !== null && (tail.length > 1 || /^[\p{Lu}\p{N}-]+$/u.test(name))) return name;
  }
  return null;
}

/** Whether a dateline's place reads as one: capitals before any comma ("BEIRUT", "DEIR EZ-ZOR, Syria"). */
function isCapitalPlace(place: string): boolean {
  const first = place.split(",")[0]?.trim() ?? "";
  return /^[\p{Lu}][\p{Lu}\s.'’-]*$/u.test(first) && /\p{Lu}{2}/u.test(first);
}

/**
 * The outlet an article credits as the one whose report it is, or null. Read from the text's
 * opening (a dateline or a byline line), its closing (a credit after the last sentence, a
 * copyright line) and the feed's author field, in that order. A dateline or a closing may name
 * any outlet; a byline, an author field, a dash and a copyright line only a listed agency
 * (there they as often name a person or the publisher itself). Parentheses inside the text, a
 * photo credit, or a note on the reporting credit nothing.
 */
export function readCredit(text: string, author: string | null = null): Credit | null {
  const opening = text.trimStart().slice(0, END_CHARS);
  const byline = BYLINE.exec(opening);
  const afterByline = byline === null ? opening : opening.slice(byline[0].length);
  const dateline = DATELINE.exec(afterByline);
  if (dateline !== null) {
    const place = dateline[1]?.trim() ?? "";
    const name = creditedName(dateline[2] ?? "", place !== "" && isCapitalPlace(place));
    if (name !== null) return { name, form: "dateline" };
  }

  const closing = text.trimEnd().slice(-END_CHARS);
  const parenthesis = TRAILING_PARENTHESIS.exec(closing);
  const inParenthesis = parenthesis === null ? null : creditedName(parenthesis[1] ?? "", true);
  if (inParenthesis !== null) return { name: inParenthesis, form: "credit-line" };
  const source = TRAILING_SOURCE.exec(closing);
  const named = source === null ? null : creditedName(source[1] ?? "", true);
  if (named !== null) return { name: named, form: "credit-line" };
  const dash = TRAILING_DASH.exec(closing);
  const dashed = dash === null ? null : agencyInByline(dash[1] ?? "");
  if (dashed !== null) return { name: dashed, form: "credit-line" };

  const bylined = byline === null ? null : agencyInByline(byline[1] ?? "");
  if (bylined !== null) return { name: bylined, form: "byline" };
  const authored = author === null || author.trim() === "" ? null : agencyInByline(author.trim());
  if (authored !== null) return { name: authored, form: "author" };
  const copyright = COPYRIGHT.exec(closing);
  const owner = copyright === null ? null : creditedName(copyright[1] ?? "", false);
  if (owner !== null) return { name: owner, form: "copyright" };
  return null;
}
