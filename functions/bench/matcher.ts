import {
  contentHashOf,
  createThemeMatcher,
  DEFAULT_THEMES,
  decideMatch,
  importIntoEvent,
  type Matcher,
  type MatchInput,
  matchInMemory,
  prepareArticle,
  seededRandom,
  type ThemeDefinition,
} from "@eventwire/core";
import { type BenchContext, type BenchFigures, median } from "./context";

const theme = DEFAULT_THEMES[0] as ThemeDefinition;
const DAY_MS = 86_400_000;

/** A vocabulary with news-like (Zipf) frequencies, so a few words are everywhere and most are rare. */
function zipfSampler(size: number, random: () => number): () => string {
  const weights = Array.from({ length: size }, (_, rank) => 1 / (rank + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) {
    running += weight / total;
    cumulative.push(running);
  }
  return () => {
    const target = random();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return `w${low}`;
  };
}

// On-theme words, so every probe passes the theme filter and is looked up against the events.
const THEME_WORDS = "Islamic State fighters in Syria near Raqqa";

function syntheticArticle(
  id: string,
  time: number,
  word: () => string,
  bodyWords = 120,
  place: { title: string; words: string } = { title: "Syria", words: THEME_WORDS },
): MatchInput {
  const title = `${Array.from({ length: 6 }, word).join(" ")} ${place.title}`;
  const text = `${place.words} ${Array.from({ length: bodyWords }, word).join(" ")}`;
  return {
    id,
    sourceId: "bench",
    title,
    text,
    summary: text,
    publishedAt: new Date(time).toISOString(),
    dated: true,
    contentHash: contentHashOf(title, text),
  };
}

/** A matcher holding `count` events, all inside the time window (the worst case for look-ups). */
function matcherWith(count: number, seed: number): Matcher {
  const random = seededRandom(seed);
  const word = zipfSampler(50_000, random);
  const matcher = createThemeMatcher(theme);
  const now = Date.UTC(2026, 4, 1);
  for (let index = 0; index < count; index += 1) {
    importIntoEvent(matcher, syntheticArticle(`e${index}`, now - Math.floor(random() * 20) * DAY_MS, word), null);
  }
  return matcher;
}

/**
 * One pass of the probes through `matcher` (each prepared and decided; the index is not
 * changed): microseconds per probe, and candidate events scored in all.
 */
export function probePass(matcher: Matcher, probes: MatchInput[]): { micros: number; candidates: number } {
  let candidates = 0;
  const started = performance.now();
  for (const probe of probes) candidates += decideMatch(matcher, prepareArticle(matcher, probe)).candidates;
  return { micros: ((performance.now() - started) * 1000) / probes.length, candidates };
}

/** Words in a synthetic full text: about the length of a wire report's first screen. */
const FULL_TEXT_WORDS = 250;

/** Places the theme knows: a story set in one of them is told apart from stories set elsewhere. */
export const STORY_PLACES = [
  "Damascus",
  "Aleppo",
  "Idlib",
  "Raqqa",
  "Deir ez-Zor",
  "Hasakah",
  "Homs",
  "Hama",
  "Palmyra",
  "Kobani",
  "Manbij",
  "Qamishli",
  "Daraa",
  "Latakia",
  "Ghouta",
  "Afrin",
  "Baghouz",
  "Mosul",
  "Fallujah",
  "Ramadi",
  "Tikrit",
  "Sinjar",
  "Tal Afar",
];

/**
 * A stream of full-text articles in publication order, telling `stories` stories over `days`
 * days: each story has words of its own that its reports repeat, so reports attach and events
 * grow as they would in a live feed. With `placed`, each story is also set in a place of its
 * own (23 places, so at most 23 stories stay apart); without, every report names Raqqa, and
 * the matcher reads the stream as one unfolding story, as an editor reading only names would.
 */
export function storyStream(count: number, stories: number, days: number, seed: number, placed = false): MatchInput[] {
  const random = seededRandom(seed);
  const word = zipfSampler(50_000, random);
  const storyWords = Array.from({ length: stories }, (_, story) => Array.from({ length: 12 }, (_, k) => `s${story}x${k}`));
  const start = Date.UTC(2026, 4, 1);
  return Array.from({ length: count }, (_, index) => {
    const story = Math.floor(random() * stories);
    const own = storyWords[story] as string[];
    const time = start + Math.floor((index / count) * days * DAY_MS);
    const where = STORY_PLACES[story % STORY_PLACES.length] as string;
    const place = placed ? { title: where, words: `Islamic State fighters near ${where}` } : undefined;
    const base = syntheticArticle(`t${seed}-${index}`, time, word, FULL_TEXT_WORDS, place);
    const title = `${own.slice(0, 4).join(" ")} ${base.title}`;
    const text = `${own.join(" ")} ${base.text}`;
    return { ...base, title, text, summary: text, contentHash: contentHashOf(title, text) };
  });
}

/**
 * Articles per second through the whole matcher (features, look-up, decision, event update),
 * matching a stream into a fresh matcher after one unmeasured stream has warmed up the JIT.
 */
function throughput(count: number): number {
  const warmUp = createThemeMatcher(theme);
  for (const input of storyStream(500, 50, 10, 1)) matchInMemory(warmUp, input);
  const stream = storyStream(count, Math.round(count / 10), 30, 2);
  const matcher = createThemeMatcher(theme);
  const started = performance.now();
  for (const input of stream) matchInMemory(matcher, input);
  return (count * 1000) / (performance.now() - started);
}

/** The matcher's figures: time per article as the index grows, its scaling, and warm throughput. */
export async function benchMatcher(context: BenchContext): Promise<BenchFigures> {
  const random = seededRandom(7);
  const word = zipfSampler(50_000, random);
  const probes = Array.from({ length: context.quick ? 100 : 400 }, (_, index) =>
    syntheticArticle(`p${index}`, Date.UTC(2026, 4, 1), word),
  );
  const sizes = [100, 1_000, 10_000] as const;
  const matchers = sizes.map((count) => matcherWith(count, count));
  // One unmeasured pass of every probe on each, so the comparison is of steady state, not of
  // the JIT warming up. Then the sizes take turns, round after round: on a shared machine a slow
  // stretch then slows every size alike rather than the one measured during it.
  for (const matcher of matchers) probePass(matcher, probes);
  const rounds = context.quick ? 3 : 7;
  const samples = sizes.map(() => [] as number[]);
  const candidates = sizes.map(() => 0);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, matcher] of matchers.entries()) {
      const pass = probePass(matcher, probes);
      (samples[index] as number[]).push(pass.micros);
      candidates[index] = (candidates[index] as number) + pass.candidates;
    }
  }
  const perArticle: Record<string, number> = {};
  for (const [index, count] of sizes.entries()) {
    const meanCandidates = (candidates[index] as number) / (rounds * probes.length);
    // A probe that met no candidate would measure the theme filter, not the index.
    if (meanCandidates < 1)
      throw new Error(`bench probes met ${meanCandidates} candidates on average; the index was not exercised`);
    perArticle[count] = median(samples[index] as number[]);
    context.say(
      `matcher, ${String(count).padStart(6)} events: ${(perArticle[count] as number).toFixed(1)} µs per article (median of ${rounds} rounds, sizes in turn), ${meanCandidates.toFixed(1)} candidates scored`,
    );
  }
  const scaling = (perArticle[10_000] as number) / (perArticle[100] as number);
  context.say(`matcher_scaling (10,000 ÷ 100 events): ${scaling.toFixed(2)}`);
  const articlesPerSec = throughput(context.quick ? 500 : 5_000);
  context.say(`matcher throughput, ${FULL_TEXT_WORDS}-word articles, warm: ${articlesPerSec.toFixed(0)} articles/s`);
  return {
    matcher_us_per_article_100: perArticle[100] as number,
    matcher_us_per_article_1000: perArticle[1_000] as number,
    matcher_us_per_article_10000: perArticle[10_000] as number,
    matcher_scaling: scaling,
    matcher_articles_per_sec: articlesPerSec,
  };
}
