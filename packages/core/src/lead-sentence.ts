import { collapseWhitespace, truncateText } from "./text";

/** Characters of a lead sentence shown before it is cut, with an ellipsis, at a word. */
export const LEAD_CHARS = 220;

// Unicode's sentence rules (UAX #29, the runtime's ICU) settle quotes, ellipses, "?!" and
// numbers such as 3.5, but break after any period before a capital ("Dr. Smith", "the U.S.
// Army"); the CLDR lists that suppress such breaks are not in V8. A sentence that ends in one
// of these is joined to the next: initialisms (U.S., S.D.F.), a single initial (John F.), and
// titles and abbreviations that precede a name or a number.
const SENTENCE = new Intl.Segmenter("en", { granularity: "sentence" });
const ABBREVIATION =
  /(?:^|[\s("'“‘])(?:(?:\p{L}\.){2,}|\p{Lu}\.|(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Cpl|Brig|Adm|Cmdr|Gov|Sen|Rep|Pres|Amb|Rev|Sr|Jr|St|Mt|Ft|No|Nos|Vol|vs|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)$/u;

/**
 * The first sentence of a text, whitespace collapsed, cut at a word with an ellipsis past `max`
 * characters. Abbreviations and initialisms ("U.S.", "Dr.") do not end it. Empty for an empty text.
 */
export function leadSentence(text: string, max = LEAD_CHARS): string {
  const clean = collapseWhitespace(text).trim();
  if (clean === "") return "";
  let lead = "";
  for (const { segment } of SENTENCE.segment(clean)) {
    lead += segment;
    // Past the cap the rest is cut anyway: no need to read further sentences.
    if (!ABBREVIATION.test(lead.trimEnd()) || lead.length > max) break;
  }
  return truncateText(lead.replace(/\s+/g, " ").trim(), max);
}

/** A text compared for sameness: case, punctuation and spacing aside. */
const comparable = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/**
 * The line a listing shows under an event's title: the first sentence of its central article's
 * summary, or null when there is none or it only says the title again.
 */
export function eventLead(summary: string, titles: readonly string[]): string | null {
  const lead = leadSentence(summary);
  if (lead === "") return null;
  const said = comparable(lead);
  return titles.some((title) => comparable(title) === said) ? null : lead;
}
