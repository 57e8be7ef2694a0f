import { stemmer } from "stemmer";
import { eng } from "stopword";

// Words that carry no topic in news copy, beyond the general English stop words.
const NEWS_FUNCTION_WORDS = [
  "said",
  "says",
  "say",
  "told",
  "tell",
  "according",
  "reported",
  "reports",
  "report",
  "reuters",
  "ap",
  "afp",
  "also",
  "would",
  "could",
  "may",
  "might",
  "will",
  "can",
  "one",
  "two",
  "three",
  "new",
  "year",
  "years",
  "day",
  "days",
  "week",
  "weeks",
  "month",
  "months",
  "time",
  "people",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
  "today",
  "yesterday",
  "last",
  "first",
  "us",
  "mr",
  "mrs",
  "ms",
  "just",
  "like",
  "get",
  "got",
  "make",
  "made",
  "including",
  "however",
  "since",
  "around",
  "many",
  "much",
  "well",
  "even",
  "still",
  "news",
  "video",
  "photo",
  "image",
  "images",
  "read",
  "click",
  "share",
  "advertisement",
  "getty",
  "subscribe",
  "newsletter",
  "copyright",
  "rights",
  "reserved",
  "updated",
  "published",
];

const STOP = new Set([...eng, ...NEWS_FUNCTION_WORDS]);

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) > 127) return false;
  return true;
}

/** Folds case and diacritics: "Türkiye" and "turkiye" are one word. */
export function foldText(text: string): string {
  // Most news text is ASCII, where folding is lower-casing; Unicode normalisation is slow.
  if (isAscii(text)) return text.toLowerCase();
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Raw word tokens of folded text: letters and digits, apostrophes dropped ("group's" → "groups"). */
export function wordTokens(text: string): string[] {
  return (
    foldText(text)
      .replace(/['’]/g, "")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** Whether a folded token is a stop word. */
export function isStopWord(token: string): boolean {
  return STOP.has(token);
}

const stemCache = new Map<string, string>();

/** The Porter stem of a folded token, memoised (news vocabulary repeats a lot). */
export function stem(token: string): string {
  let stemmed = stemCache.get(token);
  if (stemmed === undefined) {
    stemmed = stemmer(token);
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(token, stemmed);
  }
  return stemmed;
}

/**
 * The content terms of a text: folded tokens minus stop words, numbers and one-letter tokens,
 * stemmed. The order of the text is kept (shingles need it). `words`, when given, receives the
 * folded word each term was read from, in the same order (what a stem is shown as).
 */
export function contentTerms(text: string, words?: string[]): string[] {
  const terms: string[] = [];
  for (const token of wordTokens(text)) {
    if (token.length < 2 || STOP.has(token) || /^\p{N}+$/u.test(token)) continue;
    terms.push(stem(token));
    words?.push(token);
  }
  return terms;
}

/** Counts of each term. */
export function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
