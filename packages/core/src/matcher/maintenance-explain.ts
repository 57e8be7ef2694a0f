import type { EventState } from "./event";
import { type Agreement, type CrossScore, QUIET_DAYS } from "./maintenance-judge";

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The figures both kinds of decision carry: each side against the other, the titles, the gap. */
function commonSignals(agreement: Agreement): Record<string, number> {
  const { intoFirst: a, intoSecond: b } = agreement;
  const mean = (x: number, y: number) => round((x * a.total + y * b.total) / Math.max(a.total + b.total, 1));
  // "First" is the surviving event or the staying part; "second" the merged-away event or the leaving part.
  return {
    reportsOfSecond: a.total,
    joinedIntoFirst: a.joined,
    closeIntoFirst: a.close,
    titlesSharingActionSecond: agreement.actions.second.sharing,
    meanProbabilityIntoFirst: round(a.meanProbability),
    reportsOfFirst: b.total,
    joinedIntoSecond: b.joined,
    closeIntoSecond: b.close,
    titlesSharingActionFirst: agreement.actions.first.sharing,
    meanProbabilityIntoSecond: round(b.meanProbability),
    titleActionCos: mean(a.meanTitleAction, b.meanTitleAction),
    entityRare: mean(a.meanRare, b.meanRare),
    ownTitleTermsFirst: agreement.ownTerms.first.length,
    ownTitleTermsSecond: agreement.ownTerms.second.length,
    gapDays: round(agreement.gapDays),
    quietDays: agreement.quietDays,
  };
}

/** A merge's figures: `first` is the surviving event, `second` the one folded into it. */
export function mergeSignals(agreement: Agreement): Record<string, number> {
  return commonSignals(agreement);
}

/** A split's figures: `first` is the part that stays, `second` the part that leaves; and how the reports cut. */
export function splitSignals(agreement: Agreement, ncut: number, crossing: [number, number]): Record<string, number> {
  return {
    ...commonSignals(agreement),
    normalisedCut: round(ncut),
    crossingShareFirst: round(crossing[0]),
    crossingShareSecond: round(crossing[1]),
  };
}

const joinedText = (score: CrossScore) => `${score.joined} of ${score.total} (mean p=${score.meanProbability.toFixed(2)})`;

const days = (gap: number) => {
  if (gap === 0) return "overlapping in time";
  if (gap < 1) return "less than a day apart";
  const whole = Math.round(gap);
  return `${whole} day${whole === 1 ? "" : "s"} apart`;
};

const quoted = (words: readonly string[]) =>
  words
    .slice(0, 3)
    .map((word) => `"${word}"`)
    .join(", ");

/** An editor's sentence for a merge of `from` into `into`. */
export function describeMerge(into: EventState, from: EventState, agreement: Agreement): string {
  const { intoFirst, intoSecond, actions } = agreement;
  const why =
    agreement.quietDays < QUIET_DAYS
      ? "their reports run on from day to day"
      : agreement.headlinesOnly
        ? "both are headlines alone, which the model reads word by word"
        : `titles share the action ${quoted([...new Set([...actions.second.words, ...actions.first.words])])} ` +
          `(${actions.second.sharing} of ${actions.second.total} and ${actions.first.sharing} of ${actions.first.total}), ` +
          "and neither side's headlines say what the other's never do";
  return (
    `"${from.title}" and "${into.title}" report one happening, ${days(agreement.gapDays)}: ` +
    `${joinedText(intoFirst)} of the first's reports would join the second and ${joinedText(intoSecond)} the other way; ${why}`
  );
}

/** An editor's sentence for a split of `kept` (staying) and `opened` (leaving). */
export function describeSplit(kept: EventState, opened: EventState, agreement: Agreement): string {
  const { intoFirst, actions, ownTerms } = agreement;
  const own = (terms: Agreement["ownTerms"]["first"], total: number, part: string, other: string) =>
    terms.length === 0
      ? null
      : `${terms
          .slice(0, 3)
          .map((term) => `"${term.word}" (${term.titles} of ${total})`)
          .join(", ")} in titles of the ${part} part and in none of the ${other}`;
  const distinct = [
    own(ownTerms.second, actions.second.total, "leaving", "staying"),
    own(ownTerms.first, actions.first.total, "staying", "leaving"),
  ]
    .filter((text) => text !== null)
    .join("; ");
  return (
    `"${kept.title}" held two happenings: ${actions.second.total} reports led by "${opened.title}" leave it (${days(agreement.gapDays)} from the rest). ` +
    `Headlines: ${distinct}; ${actions.second.total - actions.second.sharing} of ${actions.second.total} leaving and ` +
    `${actions.first.total - actions.first.sharing} of ${actions.first.total} staying do not share their action with the other part. ` +
    `The model alone would join ${joinedText(intoFirst)} of the leaving reports to the rest`
  );
}
