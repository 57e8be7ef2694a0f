import { endOfUtcDay, StreamEvents, type StreamMaintenance } from "./evaluation-maintenance";
import { MAINTENANCE_LIMITS, type MaintenancePlanner } from "./matcher/maintenance-apply";
import { rememberArticle } from "./matcher/maintenance-judge";
import { importIntoEvent, matchInMemory } from "./matcher/match-in-memory";
import type { MatchExplanation, Matcher, MatchInput } from "./matcher/matcher";
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
  /** The decisions of the maintenance pass, when it ran. */
  maintenance?: { merges: number; splits: number };
};

export type EvaluationOptions = {
  /** Score the theme filter (off for data without a theme, like MStream). */
  scoreTheme: boolean;
  /** A monotonic clock in milliseconds, for the throughput figure. */
  clock: () => number;
  onProgress?: (done: number, total: number) => void;
  /**
   * The maintenance pass to run in stream time (null or absent: none): after each stream day
   * (the UTC day of publication) with `now` at the day's end, or, where articles have no real
   * date, after every `MAINTENANCE_LIMITS.afterStored` articles over all the events.
   */
  maintenance?: MaintenancePlanner | null;
};

/** Stream order: by publication time, ties by id. */
export function byStreamOrder(a: LabelledArticle, b: LabelledArticle): number {
  const time = Date.parse(a.input.publishedAt) - Date.parse(b.input.publishedAt);
  return time !== 0 ? time : a.input.id < b.input.id ? -1 : a.input.id > b.input.id ? 1 : 0;
}

/**
 * Loads `existing` as events (one per gold label, in stream order, no decisions), streams
 * `stream` through the matcher in the order given, with the maintenance pass of
 * `options.maintenance` in stream time (the articles it moves are scored in their new event),
 * and scores the final state: clustering over the labelled on-theme stream articles, attach
 * accuracy on those whose gold event was existing (or the event it was merged into), the theme
 * filter over all stream articles, and throughput. Returns the pass's decisions too.
 */
export function evaluateStream(
  matcher: Matcher,
  existing: readonly LabelledArticle[],
  stream: readonly LabelledArticle[],
  options: EvaluationOptions,
): { report: EvaluationReport; explanations: MatchExplanation[]; maintenance: StreamMaintenance[] } {
  const events = new StreamEvents();
  // As `import-events` does: one event per label, unlabelled articles left out.
  const existingEvents = new Map<string, string>();
  for (const article of [...existing].sort(byStreamOrder)) {
    if (article.event === null) continue;
    const event = importIntoEvent(matcher, article.input, existingEvents.get(article.event) ?? null);
    existingEvents.set(article.event, event.id);
    events.add(event.id, { input: article.input, copyOf: null });
  }

  const explanations: MatchExplanation[] = [];
  const position = new Map(stream.map((article, index) => [article.input.id, index]));
  const planner = options.maintenance ?? null;
  const runPass = (now: string, dated: boolean) => {
    if (planner === null) return;
    for (const [articleId, eventId] of events.runPass(matcher, planner, now, dated)) {
      const at = position.get(articleId);
      const explanation = at === undefined ? undefined : explanations[at];
      if (at !== undefined && explanation !== undefined) explanations[at] = { ...explanation, eventId };
    }
  };
  const started = options.clock();
  let day: string | null = null;
  stream.forEach((article, index) => {
    const { dated, publishedAt } = article.input;
    if (dated && day !== null && endOfUtcDay(publishedAt) !== day) runPass(day, true);
    day = dated ? endOfUtcDay(publishedAt) : null;
    const result = matchInMemory(matcher, article.input);
    if (planner !== null) rememberArticle(matcher, result.prepared);
    explanations.push(result.explanation);
    if (result.event !== null) events.add(result.event.id, { input: article.input, copyOf: result.explanation.copyOf });
    // An earlier off-theme article that this article's event claimed is now part of it.
    for (const claimed of result.reconsidered) {
      const earlier = position.get(claimed.prepared.input.id);
      if (earlier !== undefined) explanations[earlier] = claimed.explanation;
      const input = earlier === undefined ? claimed.prepared.input : (stream[earlier] as LabelledArticle).input;
      if (result.event !== null) events.add(result.event.id, { input, copyOf: claimed.explanation.copyOf });
    }
    if (!dated && (index + 1) % MAINTENANCE_LIMITS.afterStored === 0) runPass(publishedAt, false);
    if (options.onProgress && (index % 250 === 0 || index === stream.length - 1)) options.onProgress(index + 1, stream.length);
  });
  const last = stream.at(-1);
  if (last !== undefined) runPass(day ?? last.input.publishedAt, day !== null);
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
    const imported = existingEvents.get(article.event);
    const existingId = imported === undefined ? undefined : events.current(imported);
    if (existingId !== undefined) {
      attachTotal += 1;
      if (explanation.eventId === existingId) attachRight += 1;
    }
  });

  const labelled = gold.length > 0;
  const merges = events.decisions.filter((entry) => entry.applied.decision.kind === "merge").length;
  return {
    explanations,
    maintenance: events.decisions,
    report: {
      articles: stream.length,
      events: events.size,
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
      ...(planner === null ? {} : { maintenance: { merges, splits: events.decisions.length - merges } }),
    },
  };
}

/** One gold event's outcome: the predicted events its articles went to, and what else those held. */
export type GoldEventErrors = {
  event: string;
  articles: number;
  /** Predicted events holding this gold event's articles, largest first. */
  parts: {
    eventId: string;
    articles: { id: string; title: string; decision: MatchExplanation["decision"] }[];
    /** Other gold events (or off-theme / unlabelled articles, as `(none)`) in the same predicted event. */
    sharedWith: { event: string; articles: number }[];
  }[];
  /** This event's articles judged off-theme. */
  offTheme: { id: string; title: string }[];
};

/** The theme filter's mistakes: off-theme articles let in, on-theme ones kept out. */
export type ThemeErrors = {
  letIn: { id: string; title: string; eventId: string | null }[];
  keptOut: { id: string; title: string; event: string | null }[];
};

function appendTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [value]);
  else group.push(value);
}

/**
 * Per gold event, how the matcher split or merged it (for `eval --errors`): the predicted
 * events its articles went to and which other gold events share them; and the theme filter's
 * mistakes. Reads the stream and the explanations `evaluateStream` returned.
 */
export function describeErrors(
  stream: readonly LabelledArticle[],
  explanations: readonly MatchExplanation[],
): { events: GoldEventErrors[]; theme: ThemeErrors } {
  const byPredicted = new Map<string, number[]>();
  const gold = new Map<string, number[]>();
  stream.forEach((article, index) => {
    const explanation = explanations[index] as MatchExplanation;
    if (explanation.eventId !== null && explanation.onTheme) appendTo(byPredicted, explanation.eventId, index);
    if (article.event !== null) appendTo(gold, article.event, index);
  });
  const events: GoldEventErrors[] = [...gold.entries()].map(([event, indexes]) => {
    const parts = new Map<string, number[]>();
    const offTheme: GoldEventErrors["offTheme"] = [];
    for (const index of indexes) {
      const explanation = explanations[index] as MatchExplanation;
      const article = stream[index] as LabelledArticle;
      if (!explanation.onTheme || explanation.eventId === null) {
        offTheme.push({ id: article.input.id, title: article.input.title });
        continue;
      }
      appendTo(parts, explanation.eventId, index);
    }
    return {
      event,
      articles: indexes.length,
      parts: [...parts.entries()]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([eventId, own]) => {
          const others = new Map<string, number>();
          for (const index of byPredicted.get(eventId) ?? []) {
            const label = (stream[index] as LabelledArticle).event ?? "(none)";
            if (label !== event) others.set(label, (others.get(label) ?? 0) + 1);
          }
          return {
            eventId,
            articles: own.map((index) => ({
              id: (stream[index] as LabelledArticle).input.id,
              title: (stream[index] as LabelledArticle).input.title,
              decision: (explanations[index] as MatchExplanation).decision,
            })),
            sharedWith: [...others.entries()].map(([label, articles]) => ({ event: label, articles })),
          };
        }),
      offTheme,
    };
  });
  const theme: ThemeErrors = { letIn: [], keptOut: [] };
  stream.forEach((article, index) => {
    const explanation = explanations[index] as MatchExplanation;
    if (explanation.onTheme && !article.onTheme)
      theme.letIn.push({ id: article.input.id, title: article.input.title, eventId: explanation.eventId });
    if (!explanation.onTheme && article.onTheme)
      theme.keptOut.push({ id: article.input.id, title: article.input.title, event: article.event });
  });
  return { events, theme };
}

/**
 * The error report as text a person reads: each gold event that was split, merged or kept out,
 * and the maintenance pass's decisions (`maintenance`, from `evaluateStream`).
 */
export function formatErrors(
  errors: { events: GoldEventErrors[]; theme: ThemeErrors },
  maintenance: readonly StreamMaintenance[] = [],
): string {
  const lines: string[] = [];
  const wrong = errors.events.filter(
    (entry) => entry.parts.length !== 1 || entry.offTheme.length > 0 || (entry.parts[0]?.sharedWith.length ?? 0) > 0,
  );
  lines.push(`${errors.events.length} gold events, ${wrong.length} not matched exactly`, "");
  for (const entry of errors.events) {
    const split = entry.parts.length > 1 ? `split in ${entry.parts.length}` : null;
    const merged = entry.parts.some((part) => part.sharedWith.length > 0) ? "merged" : null;
    const kept = entry.offTheme.length > 0 ? `${entry.offTheme.length} kept out as off-theme` : null;
    const verdict = [split, merged, kept].filter((word) => word !== null).join(", ") || "right";
    lines.push(`## ${entry.event} (${entry.articles} articles): ${verdict}`);
    for (const part of entry.parts) {
      const shared = part.sharedWith.map((other) => `${other.event} ×${other.articles}`).join(", ");
      lines.push(`  predicted ${part.eventId}: ${part.articles.length} of them${shared ? `; also holds ${shared}` : ""}`);
      for (const article of part.articles) lines.push(`    ${article.id} [${article.decision}] ${article.title}`);
    }
    for (const article of entry.offTheme) lines.push(`  off-theme: ${article.id} ${article.title}`);
    lines.push("");
  }
  lines.push(`## theme: ${errors.theme.letIn.length} let in, ${errors.theme.keptOut.length} kept out`);
  for (const article of errors.theme.letIn) lines.push(`  let in: ${article.id} → ${article.eventId ?? "-"} ${article.title}`);
  for (const article of errors.theme.keptOut)
    lines.push(`  kept out: ${article.id} (${article.event ?? "no event"}) ${article.title}`);
  lines.push("", `## maintenance: ${maintenance.length} decisions`);
  for (const { at, applied } of maintenance) {
    const { decision } = applied;
    const what =
      decision.kind === "merge"
        ? `merge ${decision.from} into ${decision.into}`
        : `split ${decision.articleIds.length} articles of ${decision.from} into ${decision.into}`;
    lines.push(`  ${at} ${what}: ${decision.explanation.summary}`);
    lines.push(`    moved: ${applied.moved.map((move) => move.articleId).join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
}
