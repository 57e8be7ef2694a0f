import { seededRandom } from "@eventwire/core";
import { STORY_PLACES } from "./matcher";

// The words of the synthetic year: made-up words built from syllables (so no two events share
// their own words by accident, and every word is a plain lowercase word a search can ask for),
// the theme's own words, and a background vocabulary with news-like (Zipf) frequencies.

const SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vel", "qo", "dar", "ni", "pe", "zul", "ha", "ri", "mon", "te"];

/** A made-up word for a number: its syllables in base 16, then a fixed ending (never a real word). */
function madeUpWord(n: number, ending = "x"): string {
  let word = "";
  let rest = n;
  do {
    word += SYLLABLES[rest % SYLLABLES.length];
    rest = Math.floor(rest / SYLLABLES.length);
  } while (rest > 0);
  return `${word}${ending}`;
}

/** Events' own words: `WORDS_PER_EVENT` made-up words only that event uses. */
const WORDS_PER_EVENT = 8;

/** The rare words of event number `index`; the first is in every one of its titles. */
export function eventWords(index: number): string[] {
  return Array.from({ length: WORDS_PER_EVENT }, (_, k) => madeUpWord(index * WORDS_PER_EVENT + k, "an"));
}

/** Places the theme knows (most of the matcher bench's story places): an event is set in one of them. */
const YEAR_PLACES = [...STORY_PLACES.slice(0, 14), "Mosul", "Sinjar"];

/** Places outside the theme, for off-theme reports. */
const ELSEWHERE = ["Lisbon", "Osaka", "Denver", "Nairobi", "Bogota", "Oslo", "Perth", "Hanoi"] as const;

/** What the theme's reports say again and again (its terms and names). */
const THEME_PHRASES = [
  "Islamic State fighters",
  "the Syrian army",
  "Kurdish-led forces",
  "an ISIS cell",
  "the coalition said",
  "Syrian Observatory for Human Rights",
  "militants",
  "an air strike",
] as const;

/** Everyday words of any report, so texts read as prose to the tokenizer. */
const FUNCTION_WORDS = ["the", "of", "and", "in", "to", "a", "on", "said", "after", "with", "by", "near", "were", "have"];

const BACKGROUND_SIZE = 5_000;

let cumulative: Float64Array | undefined;

/** The running sums of the background words' Zipf weights, computed once. */
function zipfSums(): Float64Array {
  if (cumulative === undefined) {
    cumulative = new Float64Array(BACKGROUND_SIZE);
    let total = 0;
    for (let rank = 0; rank < BACKGROUND_SIZE; rank += 1) {
      total += 1 / (rank + 1);
      cumulative[rank] = total;
    }
  }
  return cumulative;
}

/** Draws background words with Zipf frequencies: a few are everywhere, most are rare. */
function backgroundSampler(random: () => number): () => string {
  const sums = zipfSums();
  const total = sums[BACKGROUND_SIZE - 1] as number;
  return () => {
    const target = random() * total;
    let low = 0;
    let high = BACKGROUND_SIZE - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((sums[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return madeUpWord(low, "o");
  };
}

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)] as T;

/** A sentence of `length` words: background and function words, with `own` words mixed in. */
function sentence(length: number, own: readonly string[], random: () => number, word: () => string): string {
  const words: string[] = [];
  for (let index = 0; index < length; index += 1) {
    const draw = random();
    words.push(draw < 0.3 ? pick(FUNCTION_WORDS, random) : draw < 0.45 && own.length > 0 ? pick(own, random) : word());
  }
  return `${words.join(" ")}.`;
}

/** A report's title, summary and full text. */
export type ReportText = { title: string; summary: string; text: string };

/** Cuts `text` at the last word boundary before `chars`. */
function clip(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.lastIndexOf(" ", chars);
  return text.slice(0, cut > 0 ? cut : chars);
}

/**
 * One report of an event (on-theme: the theme's phrases and a place it knows) or of nothing in
 * particular (`own` empty, `onTheme` false: elsewhere, no theme words). The title (about 70
 * characters) starts with `own[0]`, so a search for that word finds every report of the event;
 * the summary is about 300 characters; the full text about `textChars` (0: the summary alone).
 * The same seed gives the same report.
 */
export function reportText(own: readonly string[], place: string, onTheme: boolean, seed: number, textChars = 3_000): ReportText {
  const random = seededRandom(seed);
  const word = backgroundSampler(random);
  const lead = onTheme ? `${pick(THEME_PHRASES, random)} near ${place}` : `officials in ${pick(ELSEWHERE, random)}`;
  const head = own.length > 0 ? `${own[0]} ${own[1 + Math.floor(random() * (own.length - 1))] ?? ""}` : word();
  const title = clip(`${head} ${lead} ${sentence(8, own, random, word)}`, 70).replace(/\.$/, "");
  const opening = `${lead[0]?.toUpperCase() ?? ""}${lead.slice(1)} ${sentence(14, own, random, word)}`;
  const summary = clip(`${opening} ${sentence(30, own, random, word)} ${sentence(20, own, random, word)}`, 300);
  const paragraphs = [summary];
  let length = summary.length;
  while (length < textChars) {
    const paragraph = onTheme
      ? `${sentence(18, own, random, word)} ${pick(THEME_PHRASES, random)} ${sentence(22, own, random, word)}`
      : sentence(40, own, random, word);
    paragraphs.push(paragraph);
    length += paragraph.length + 2;
  }
  return { title, summary, text: paragraphs.join("\n\n") };
}

/** A place for event number `index`. */
export function placeOf(index: number): string {
  return YEAR_PLACES[index % YEAR_PLACES.length] as string;
}
