import type { LabelledArticle } from "../evaluation";
import { byStreamOrder } from "../evaluation";
import { decideMatch } from "./decide-match";
import type { EventState } from "./event";
import { nextEventState } from "./grow-event";
import { importIntoEvent } from "./match-in-memory";
import type { MatchExplanation, Matcher } from "./matcher";
import { prepareArticle } from "./prepare-article";
import { computeSignals, type DecisionProfile, SIGNAL_NAMES, type Signals } from "./signals";

/** One (article, candidate event) pair with its signals and whether the event is the right one. */
export type TrainingPair = { signals: Signals; same: boolean };

export type TrainingSet = {
  pairs: TrainingPair[];
  /** Articles whose gold event existed but was not among the candidates (retrieval misses). */
  missed: number;
  /** Articles whose gold event existed when they arrived. */
  followUps: number;
};

/**
 * Streams labelled articles with the gold answer applied after each one (teacher forcing), and
 * records the signals of every candidate the matcher would have scored. Off-theme articles are
 * the theme filter's business and are skipped.
 */
export function collectTrainingPairs(
  matcher: Matcher,
  existing: readonly LabelledArticle[],
  stream: readonly LabelledArticle[],
): TrainingSet {
  const eventOf = new Map<string, string>();
  for (const article of [...existing].sort(byStreamOrder)) {
    if (article.event === null) continue;
    eventOf.set(article.event, importIntoEvent(matcher, article.input, eventOf.get(article.event) ?? null).id);
  }
  const pairs: TrainingPair[] = [];
  let missed = 0;
  let followUps = 0;
  for (const article of stream) {
    if (!article.onTheme || article.event === null) continue;
    const prepared = prepareArticle(matcher, article.input);
    const decision = decideMatch({ ...matcher, theme: null }, prepared);
    const goldId = eventOf.get(article.event);
    const candidates = matcher.index.candidates({
      terms: [...prepared.vectors.title.keys(), ...prepared.vectors.body.keys()],
      entities: prepared.vectors.entities.keys(),
      time: prepared.vectors.time,
      windowMs: matcher.model.windowDays * 86_400_000,
      maxCandidates: matcher.model.maxCandidates,
    });
    for (const event of candidates)
      pairs.push({ signals: computeSignals(prepared.vectors, event, matcher.index), same: event.id === goldId });
    if (goldId !== undefined) {
      followUps += 1;
      if (!candidates.some((event) => event.id === goldId)) missed += 1;
    }
    // Apply the gold answer, copies included, so the next article sees the right events.
    const gold: MatchExplanation =
      goldId === undefined
        ? { ...decision, decision: "new-event", eventId: null, copyOf: null }
        : {
            ...decision,
            decision: decision.decision === "copy" && decision.eventId === goldId ? "copy" : "attached",
            eventId: goldId,
          };
    const explanation = gold.eventId === null ? { ...gold, eventId: eventIdForNew(matcher, article) } : gold;
    const next = nextEventState(matcher, prepared, explanation) as EventState;
    matcher.index.upsert(next);
    eventOf.set(article.event, next.id);
  }
  return { pairs, missed, followUps };
}

function eventIdForNew(matcher: Matcher, article: LabelledArticle): string {
  return `${matcher.themeId}:${article.input.id}`;
}

/**
 * Fits a logistic regression with an L2 penalty by Newton's method (the problem is small and
 * convex). Returns the bias and a weight per signal.
 */
export function fitLogistic(
  pairs: readonly TrainingPair[],
  l2: number,
  iterations = 50,
): Pick<DecisionProfile, "bias" | "weights"> {
  const dims = SIGNAL_NAMES.length + 1;
  const rows = pairs.map((pair) => [1, ...SIGNAL_NAMES.map((name) => pair.signals[name])]);
  const labels = pairs.map((pair) => (pair.same ? 1 : 0));
  const beta = new Array<number>(dims).fill(0);
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const gradient = new Array<number>(dims).fill(0);
    const hessian = Array.from({ length: dims }, () => new Array<number>(dims).fill(0));
    rows.forEach((row, index) => {
      let z = 0;
      for (let d = 0; d < dims; d += 1) z += (beta[d] as number) * (row[d] as number);
      const p = 1 / (1 + Math.exp(-z));
      const error = p - (labels[index] as number);
      const curvature = p * (1 - p);
      for (let i = 0; i < dims; i += 1) {
        gradient[i] = (gradient[i] as number) + error * (row[i] as number);
        const hessianRow = hessian[i] as number[];
        for (let j = 0; j < dims; j += 1)
          hessianRow[j] = (hessianRow[j] as number) + curvature * (row[i] as number) * (row[j] as number);
      }
    });
    // The bias is not penalised.
    for (let i = 1; i < dims; i += 1) {
      gradient[i] = (gradient[i] as number) + l2 * (beta[i] as number);
      (hessian[i] as number[])[i] = ((hessian[i] as number[])[i] as number) + l2;
    }
    const step = solve(hessian, gradient);
    let change = 0;
    for (let i = 0; i < dims; i += 1) {
      beta[i] = (beta[i] as number) - (step[i] as number);
      change = Math.max(change, Math.abs(step[i] as number));
    }
    if (change < 1e-7) break;
  }
  const weights = Object.fromEntries(SIGNAL_NAMES.map((name, index) => [name, round(beta[index + 1] as number)])) as Signals;
  return { bias: round(beta[0] as number), weights };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** Solves A x = b by Gaussian elimination with partial pivoting. */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index] as number]);
  for (let column = 0; column < n; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < n; row += 1) {
      if (Math.abs((a[row] as number[])[column] as number) > Math.abs((a[pivot] as number[])[column] as number)) pivot = row;
    }
    [a[column], a[pivot]] = [a[pivot] as number[], a[column] as number[]];
    const pivotRow = a[column] as number[];
    const divisor = pivotRow[column] as number;
    if (Math.abs(divisor) < 1e-12) continue;
    for (let row = 0; row < n; row += 1) {
      if (row === column) continue;
      const current = a[row] as number[];
      const factor = (current[column] as number) / divisor;
      for (let k = column; k <= n; k += 1) current[k] = (current[k] as number) - factor * (pivotRow[k] as number);
    }
  }
  return a.map((row, index) => (row[n] as number) / (row[index] as number) || 0);
}

/** A small seeded generator (mulberry32), so augmented streams are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The same stream with every event moved to start within `spreadDays` of one common day, each
 * keeping its own internal timeline. Labelled data often has its events years apart, where
 * time alone tells them apart; overlapped, the matcher must tell concurrent stories apart by
 * what they say, as it must in a live feed.
 */
export function overlapEvents(stream: readonly LabelledArticle[], spreadDays: number, random: () => number): LabelledArticle[] {
  const starts = new Map<string, number>();
  for (const article of stream) {
    const key = article.event ?? `alone:${article.input.id}`;
    const time = Date.parse(article.input.publishedAt);
    starts.set(key, Math.min(starts.get(key) ?? Number.POSITIVE_INFINITY, time));
  }
  const base = Date.UTC(2030, 0, 1);
  const offsets = new Map<string, number>();
  for (const key of [...starts.keys()].sort()) offsets.set(key, base + Math.floor(random() * spreadDays) * 86_400_000);
  return stream
    .map((article) => {
      const key = article.event ?? `alone:${article.input.id}`;
      const shifted = (offsets.get(key) as number) + Date.parse(article.input.publishedAt) - (starts.get(key) as number);
      return { ...article, input: { ...article.input, publishedAt: new Date(shifted).toISOString() } };
    })
    .sort(byStreamOrder);
}
