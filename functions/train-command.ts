import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  byStreamOrder,
  collectTrainingPairs,
  contentHashOf,
  createThemeMatcher,
  DEFAULT_THEME_ID,
  DEFAULT_THEMES,
  type DecisionProfile,
  evaluateStream,
  findTheme,
  fitLogistic,
  type LabelledArticle,
  type LengthProfiles,
  type MatcherModel,
  overlapEvents,
  SHIPPED_MODEL,
  seededRandom,
  type ThemeDefinition,
  type TrainingPair,
  truncateText,
} from "@eventwire/core";
import { UsageError } from "./eval-command";
import { readLabelledArticles } from "./eval-files";

const DEFAULT_OUT = new URL("../packages/core/src/matcher/model.json", import.meta.url).pathname;
/** Overlapped copies of the stream added to the training pairs, and how far their events spread. */
const AUGMENTED_COPIES = 8;
const OVERLAP_DAYS = 20;
const ATTACH_GRID = Array.from({ length: 19 }, (_, index) => Math.round((0.05 + index * 0.05) * 100) / 100);
const FOLLOW_UP_GRID = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
/** A feed summary: the first sentences of the text, bounded. */
const SUMMARY_SENTENCES = 3;
const SUMMARY_CHARS = 400;

/** The same articles cut to their opening sentences, as most feeds deliver them. */
function summariesOnly(stream: readonly LabelledArticle[]): LabelledArticle[] {
  return stream.map((article) => {
    const sentences = article.input.text.replace(/\s+/g, " ").match(/[^.!?]+[.!?]+/g) ?? [article.input.text];
    const text = truncateText(sentences.slice(0, SUMMARY_SENTENCES).join(" ").trim(), SUMMARY_CHARS);
    return {
      ...article,
      input: { ...article.input, text, summary: text, contentHash: contentHashOf(article.input.title, text) },
    };
  });
}

/** The same articles with no usable dates (as in data without them): one time, and an order given. */
function undated(stream: readonly LabelledArticle[]): LabelledArticle[] {
  return stream.map((article) => ({
    ...article,
    input: { ...article.input, publishedAt: "2030-01-01T00:00:00.000Z", dated: false },
  }));
}

/** The stream in a random order (seeded), for undated training where order is all there is. */
function shuffled(stream: readonly LabelledArticle[], random: () => number): LabelledArticle[] {
  const out = [...stream];
  for (let index = out.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [out[index], out[other]] = [out[other] as LabelledArticle, out[index] as LabelledArticle];
  }
  return out;
}

function withProfile(
  model: MatcherModel,
  timing: "dated" | "undated",
  length: keyof LengthProfiles,
  profile: DecisionProfile,
): MatcherModel {
  return { ...model, [timing]: { ...model[timing], [length]: profile } };
}

/** The same articles with only their headlines, as feeds without summaries deliver them. */
function headlinesOnly(stream: readonly LabelledArticle[]): LabelledArticle[] {
  return stream.map((article) => ({
    ...article,
    input: { ...article.input, text: "", summary: "", contentHash: contentHashOf(article.input.title, "") },
  }));
}

function pairsFor(
  theme: ThemeDefinition,
  existing: readonly LabelledArticle[],
  streams: LabelledArticle[][],
  label: string,
): TrainingPair[] {
  const pairs: TrainingPair[] = [];
  for (const stream of streams) {
    const set = collectTrainingPairs(createThemeMatcher(theme, SHIPPED_MODEL), existing, stream);
    pairs.push(...set.pairs);
    const same = set.pairs.filter((pair) => pair.same).length;
    process.stdout.write(
      `${label}: ${set.pairs.length} pairs (${same} same-event); follow-ups ${set.followUps}, retrieval missed ${set.missed}\n`,
    );
  }
  return pairs;
}

/** Picks the thresholds that score best when the streams are matched for real. */
function tuneThresholds(
  theme: ThemeDefinition,
  existing: readonly LabelledArticle[],
  streams: LabelledArticle[][],
  withProfile: (profile: DecisionProfile) => MatcherModel,
  fitted: Pick<DecisionProfile, "bias" | "weights">,
): DecisionProfile {
  let best: { profile: DecisionProfile; score: number } | null = null;
  for (const attachThreshold of ATTACH_GRID) {
    for (const followUpThreshold of FOLLOW_UP_GRID) {
      if (followUpThreshold < attachThreshold) continue;
      const profile = { ...fitted, attachThreshold, followUpThreshold };
      let score = 0;
      for (const stream of streams) {
        const { report } = evaluateStream(createThemeMatcher(theme, withProfile(profile)), existing, stream, {
          scoreTheme: true,
          clock: () => 0,
        });
        // Clustering first; the theme filter breaks ties.
        score += (report.bcubed?.f1 ?? 0) + 0.5 * (report.pairwise?.f1 ?? 0) + 0.25 * (report.theme?.f1 ?? 0);
      }
      if (best === null || score > best.score + 1e-9) best = { profile, score };
    }
  }
  if (best === null) throw new Error("no threshold was tried");
  return best.profile;
}

/**
 * `train`: re-trains the matcher model on labelled data and writes model.json. For articles
 * with a body and for headline-only ones, fits the signal weights on teacher-forced (article,
 * candidate) pairs from the stream and from overlapped copies of it, then picks the thresholds
 * that score best when those streams are matched for real.
 */
export function runTrainCommand(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      existing: { type: "string" },
      stream: { type: "string" },
      out: { type: "string", default: DEFAULT_OUT },
      l2: { type: "string", default: "1" },
      theme: { type: "string", default: DEFAULT_THEME_ID },
    },
    strict: true,
  });
  if (values.stream === undefined) throw new UsageError("train needs --stream FILE (labelled JSON Lines)");
  const theme = findTheme(DEFAULT_THEMES, values.theme);
  if (theme === undefined) throw new UsageError(`no theme "${values.theme}"`);
  const l2 = Number(values.l2);
  if (!(l2 >= 0)) throw new UsageError(`--l2 must be a number ≥ 0, not "${values.l2}"`);

  const existing = values.existing === undefined ? [] : readLabelledArticles(values.existing, "jsonl", theme.id);
  const stream = readLabelledArticles(values.stream, "jsonl", theme.id).sort(byStreamOrder);
  const random = seededRandom(20_261_121);
  const datedStreams = [stream, ...Array.from({ length: AUGMENTED_COPIES }, () => overlapEvents(stream, OVERLAP_DAYS, random))];
  const undatedStreams = [stream, ...Array.from({ length: AUGMENTED_COPIES }, () => shuffled(stream, random))].map(undated);
  const lengths: [keyof LengthProfiles, (articles: readonly LabelledArticle[]) => LabelledArticle[]][] = [
    ["full", (articles) => [...articles]],
    ["summary", summariesOnly],
    ["titleOnly", headlinesOnly],
  ];

  // One profile per kind of article: with and without a real date, by the length of its text.
  let model: MatcherModel = SHIPPED_MODEL;
  for (const [timing, streams, known] of [
    ["dated", datedStreams, existing],
    ["undated", undatedStreams, undated(existing)],
  ] as const) {
    for (const [length, cut] of lengths) {
      const variants = streams.map(cut);
      const fitted = fitLogistic(pairsFor(theme, cut(known), variants, `${timing} ${length}`), l2);
      const base = model;
      const profile = tuneThresholds(
        theme,
        cut(known),
        variants,
        (candidate) => withProfile(base, timing, length, candidate),
        fitted,
      );
      model = withProfile(model, timing, length, profile);
    }
  }

  writeFileSync(values.out, `${JSON.stringify(model, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(model, null, 2)}\nwritten to ${values.out}\n`);
  return 0;
}
