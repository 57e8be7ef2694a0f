import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  bcubed,
  binaryPrf,
  byStreamOrder,
  collectTrainingPairs,
  contentHashOf,
  createThemeMatcher,
  DEFAULT_THEME_ID,
  type DecisionProfile,
  evaluateStream,
  fitLogistic,
  type LabelledArticle,
  type LengthProfiles,
  type MatchExplanation,
  type MatcherModel,
  overlapEvents,
  type PRF,
  pairwise,
  planMaintenance,
  SHIPPED_MODEL,
  seededRandom,
  type ThemeDefinition,
  type TrainingPair,
  truncateText,
} from "@eventwire/core";
import { UsageError } from "./eval-command";
import { readLabelledArticles } from "./eval-files";
import { themeArgument } from "./themes-config";

const DEFAULT_OUT = new URL("../packages/core/src/matcher/model.json", import.meta.url).pathname;
/** Overlapped copies of the stream added to the training pairs, and how far their events spread. */
const AUGMENTED_COPIES = 3;
const OVERLAP_DAYS = 20;
const ATTACH_GRID = Array.from({ length: 12 }, (_, index) => Math.round((0.05 + index * 0.05) * 100) / 100);
const FOLLOW_UP_GRID = [0.5, 0.7, 0.9];
/** A cross-validation fold tunes the attach threshold on a coarser grid (25 folds must stay minutes). */
const CV_ATTACH_GRID = [0.1, 0.2, 0.3, 0.4, 0.5];
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
  log: (line: string) => void,
): TrainingPair[] {
  const pairs: TrainingPair[] = [];
  for (const stream of streams) {
    const set = collectTrainingPairs(createThemeMatcher(theme, SHIPPED_MODEL), existing, stream);
    pairs.push(...set.pairs);
    const same = set.pairs.filter((pair) => pair.same).length;
    log(
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
  grids: Pick<TrainingPlan, "attachGrid" | "followUpGrid">,
): DecisionProfile {
  let best: { profile: DecisionProfile; score: number } | null = null;
  for (const attachThreshold of grids.attachGrid) {
    for (const followUpThreshold of grids.followUpGrid) {
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

/** How much work one training does: the full run, or a cross-validation fold's lighter one. */
type TrainingPlan = {
  copies: number;
  /** The L2 penalty of the logistic fit. */
  l2: number;
  attachGrid: readonly number[];
  followUpGrid: readonly number[];
  /** Profiles to refit; the others keep the base model's. */
  only?: readonly ["dated" | "undated", keyof LengthProfiles][];
  log: (line: string) => void;
};

const LENGTHS: [keyof LengthProfiles, (articles: readonly LabelledArticle[]) => LabelledArticle[]][] = [
  ["full", (articles) => [...articles]],
  ["summary", summariesOnly],
  ["titleOnly", headlinesOnly],
];

/**
 * Fits a model on labelled streams (each its own file, its own timeline): for every kind of
 * article (with and without a real date, by the length of its text), the signal weights on
 * teacher-forced pairs from the streams and overlapped copies of them, then the thresholds that
 * score best when those streams are matched for real.
 */
function trainModel(
  theme: ThemeDefinition,
  existing: readonly LabelledArticle[],
  files: readonly LabelledArticle[][],
  base: MatcherModel,
  plan: TrainingPlan,
): MatcherModel {
  const random = seededRandom(20_261_121);
  const dated = files.flatMap((stream) => [
    stream,
    ...Array.from({ length: plan.copies }, () => overlapEvents(stream, OVERLAP_DAYS, random)),
  ]);
  const undatedStreams = files.flatMap((stream) =>
    [stream, ...Array.from({ length: plan.copies }, () => shuffled(stream, random))].map(undated),
  );
  let model = base;
  for (const [timing, streams, known] of [
    ["dated", dated, existing],
    ["undated", undatedStreams, undated(existing)],
  ] as const) {
    for (const [length, cut] of LENGTHS) {
      if (plan.only && !plan.only.some(([t, l]) => t === timing && l === length)) continue;
      const variants = streams.map(cut);
      const fitted = fitLogistic(pairsFor(theme, cut(known), variants, `${timing} ${length}`, plan.log), plan.l2);
      const before = model;
      const profile = tuneThresholds(
        theme,
        cut(known),
        variants,
        (candidate) => withProfile(before, timing, length, candidate),
        fitted,
        plan,
      );
      model = withProfile(model, timing, length, profile);
    }
  }
  return model;
}

/** Groups of sibling events (`event-groups.json`): each event's group, an event not listed its own. */
function readEventGroups(file: string): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read the event groups ${file}: ${(error as Error).message}`);
  }
  const groups = (raw as { groups?: Record<string, string[]> }).groups;
  if (groups === undefined || typeof groups !== "object") throw new UsageError(`${file}: no "groups" object`);
  const groupOf = new Map<string, string>();
  for (const [group, events] of Object.entries(groups)) for (const event of events) groupOf.set(event, group);
  return groupOf;
}

/**
 * Leave-one-group-out cross-validation: for each group of sibling events, a model is fitted on
 * the streams without that group's articles (weights and thresholds, on a lighter plan than the
 * full run), and the full streams are matched with it; the held-out group's articles are scored
 * together over all folds (their predicted events kept apart by fold), with the maintenance pass
 * run as `eval` runs it. So the figure says how the matcher does on events it was not fitted on.
 */
function crossValidate(
  theme: ThemeDefinition,
  existing: readonly LabelledArticle[],
  files: readonly LabelledArticle[][],
  groupOf: Map<string, string>,
  options: { l2: number; maintenance: boolean },
  log: (line: string) => void,
): { folds: number; bcubed: PRF; pairwise: PRF; theme: PRF } {
  const groupKey = (event: string) => groupOf.get(event) ?? event;
  const groups = [
    ...new Set(files.flat().flatMap((article) => (article.event === null ? [] : [groupKey(article.event)]))),
  ].sort();
  const gold: string[] = [];
  const predicted: string[] = [];
  const themeGold: boolean[] = [];
  const themePredicted: boolean[] = [];
  for (const [fold, group] of groups.entries()) {
    const held = (article: LabelledArticle) => article.event !== null && groupKey(article.event) === group;
    const training = files.map((stream) => stream.filter((article) => !held(article)));
    const model = trainModel(theme, existing, training, SHIPPED_MODEL, {
      copies: 2,
      l2: options.l2,
      attachGrid: CV_ATTACH_GRID,
      followUpGrid: [0.5],
      only: [
        ["dated", "full"],
        ["dated", "summary"],
      ],
      log: () => {},
    });
    for (const stream of files) {
      // Scored as `eval` scores: with the maintenance pass after each stream day.
      const { explanations } = evaluateStream(createThemeMatcher(theme, model), existing, stream, {
        scoreTheme: true,
        clock: () => 0,
        maintenance: options.maintenance ? planMaintenance : null,
      });
      stream.forEach((article, index) => {
        if (!held(article)) return;
        const explanation = explanations[index] as MatchExplanation;
        themeGold.push(article.onTheme);
        themePredicted.push(explanation.onTheme);
        if (!article.onTheme || article.event === null) return;
        gold.push(article.event);
        predicted.push(
          `${fold}:${explanation.onTheme ? (explanation.eventId ?? article.input.id) : `alone:${article.input.id}`}`,
        );
      });
    }
    log(`fold ${fold + 1}/${groups.length} (${group}) done\n`);
  }
  return {
    folds: groups.length,
    bcubed: bcubed(gold, predicted),
    pairwise: pairwise(gold, predicted),
    theme: binaryPrf(themeGold, themePredicted),
  };
}

/**
 * `train`: re-trains the matcher model on labelled data (one or more `--stream` files, each its
 * own timeline) and writes model.json. With `--cv GROUPS`, first reports leave-one-group-out
 * cross-validated figures, so the model's quality on events it has not seen is known.
 */
export function runTrainCommand(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      existing: { type: "string" },
      stream: { type: "string", multiple: true },
      out: { type: "string", default: DEFAULT_OUT },
      theme: { type: "string", default: DEFAULT_THEME_ID },
      l2: { type: "string", default: "1" },
      cv: { type: "string" },
      "cv-only": { type: "boolean", default: false },
      "no-maintenance": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.stream === undefined || values.stream.length === 0)
    throw new UsageError("train needs --stream FILE (labelled JSON Lines; give it more than once for several files)");
  // A built-in id or a theme file, validated as a deployment validates it.
  const theme = themeArgument(values.theme);
  if (values["cv-only"] && values.cv === undefined) throw new UsageError("--cv-only needs --cv GROUPS");
  const l2 = Number(values.l2);
  if (!(l2 >= 0)) throw new UsageError(`--l2 must be a number ≥ 0, not "${values.l2}"`);

  const existing = values.existing === undefined ? [] : readLabelledArticles(values.existing, "jsonl", theme.id);
  const files = values.stream.map((file) => readLabelledArticles(file, "jsonl", theme.id).sort(byStreamOrder));
  const log = (line: string) => process.stdout.write(line);

  if (values.cv !== undefined) {
    const cv = crossValidate(
      theme,
      existing,
      files,
      readEventGroups(values.cv),
      { l2, maintenance: !values["no-maintenance"] },
      (line) => process.stderr.write(line),
    );
    const summary = { cv_folds: cv.folds, cv_bcubed: cv.bcubed, cv_pairwise: cv.pairwise, cv_theme: cv.theme };
    log(
      `leave-one-group-out over ${cv.folds} groups: BCubed F1 ${cv.bcubed.f1.toFixed(3)}, pairwise F1 ${cv.pairwise.f1.toFixed(3)}, theme F1 ${cv.theme.f1.toFixed(3)}\n${JSON.stringify(summary)}\n`,
    );
    if (values["cv-only"]) return 0;
  }

  const model = trainModel(theme, existing, files, SHIPPED_MODEL, {
    copies: AUGMENTED_COPIES,
    l2,
    attachGrid: ATTACH_GRID,
    followUpGrid: FOLLOW_UP_GRID,
    log,
  });
  writeFileSync(values.out, `${JSON.stringify(model, null, 2)}\n`);
  log(`${JSON.stringify(model, null, 2)}\nwritten to ${values.out}\n`);
  return 0;
}
