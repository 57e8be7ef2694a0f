import { importIntoEvent, type MatchExplanation, type Matcher, type MatchInput, matchInMemory } from "./matcher/matcher";
import { bcubed, binaryPrf, nmi, type PRF, pairwise } from "./metrics";

/** One labelled article of an evaluation file. */
export type LabelledArticle = {
  input: MatchInput;
  /** Gold event label; null for articles that belong to no event of the theme. */
  event: string | null;
  /** Gold on-theme flag. */
  onTheme: boolean;
};

/** The evaluation's public result (DESIGN.md: `npm run eval -- --json`). */
export type EvaluationReport = {
  articles: number;
  events: number;
  bcubed: PRF | null;
  pairwise: PRF | null;
  nmi: number | null;
  attach_accuracy: number | null;
  theme: PRF | null;
  articles_per_sec: number;
};

export type EvaluationOptions = {
  /** Score the theme filter (off for data without a theme, like MStream). */
  scoreTheme: boolean;
  /** A monotonic clock in milliseconds, for the throughput figure. */
  clock: () => number;
  onProgress?: (done: number, total: number) => void;
};

/** Stream order: by publication time, ties by id. */
export function byStreamOrder(a: LabelledArticle, b: LabelledArticle): number {
  const time = Date.parse(a.input.publishedAt) - Date.parse(b.input.publishedAt);
  return time !== 0 ? time : a.input.id < b.input.id ? -1 : a.input.id > b.input.id ? 1 : 0;
}

/**
 * Loads `existing` as events (one per gold label, in stream order, no decisions), streams
 * `stream` through the matcher in the order given, and scores the result: clustering over the
 * labelled on-theme stream articles, attach accuracy on those whose gold event was existing,
 * the theme filter over all stream articles, and throughput.
 */
export function evaluateStream(
  matcher: Matcher,
  existing: readonly LabelledArticle[],
  stream: readonly LabelledArticle[],
  options: EvaluationOptions,
): { report: EvaluationReport; explanations: MatchExplanation[] } {
  // As `import-events` does: one event per label, unlabelled articles left out.
  const existingEvents = new Map<string, string>();
  for (const article of [...existing].sort(byStreamOrder)) {
    if (article.event === null) continue;
    const event = importIntoEvent(matcher, article.input, existingEvents.get(article.event) ?? null);
    existingEvents.set(article.event, event.id);
  }

  const explanations: MatchExplanation[] = [];
  const position = new Map(stream.map((article, index) => [article.input.id, index]));
  const started = options.clock();
  stream.forEach((article, index) => {
    const result = matchInMemory(matcher, article.input);
    explanations.push(result.explanation);
    // An earlier off-theme article that this article's event claimed is now part of it.
    for (const claimed of result.reconsidered) {
      const earlier = position.get(claimed.prepared.input.id);
      if (earlier !== undefined) explanations[earlier] = claimed.explanation;
    }
    if (options.onProgress && (index % 250 === 0 || index === stream.length - 1)) options.onProgress(index + 1, stream.length);
  });
  const elapsedMs = Math.max(options.clock() - started, 1e-3);

  const gold: string[] = [];
  const predicted: string[] = [];
  let attachTotal = 0;
  let attachRight = 0;
  stream.forEach((article, index) => {
    const explanation = explanations[index] as MatchExplanation;
    if (!article.onTheme || article.event === null) return;
    gold.push(article.event);
    predicted.push(explanation.eventId ?? `alone:${article.input.id}`);
    const existingId = existingEvents.get(article.event);
    if (existingId !== undefined) {
      attachTotal += 1;
      if (explanation.eventId === existingId) attachRight += 1;
    }
  });

  const labelled = gold.length > 0;
  return {
    explanations,
    report: {
      articles: stream.length,
      events: matcher.index.size,
      bcubed: labelled ? bcubed(gold, predicted) : null,
      pairwise: labelled ? pairwise(gold, predicted) : null,
      nmi: labelled ? nmi(gold, predicted) : null,
      attach_accuracy: attachTotal > 0 ? attachRight / attachTotal : null,
      theme: options.scoreTheme
        ? binaryPrf(
            stream.map((article) => article.onTheme),
            explanations.map((explanation) => explanation.onTheme),
          )
        : null,
      articles_per_sec: stream.length / (elapsedMs / 1000),
    },
  };
}
