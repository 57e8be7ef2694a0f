import type { MaintenanceDecision, MaintenanceExplanation } from "./matcher/maintenance-apply";

/**
 * What a maintenance decision did to one event, from that event's side: `merged` (`other` was
 * folded into it), `merged-into` (it was folded into `other`, which now answers for it), `split`
 * (the articles of `other` left it), `split-from` (it holds articles that left `other`).
 */
export type CorrectionKind = "merged" | "merged-into" | "split" | "split-from";

/** One correction of an event, as its JSON and page show it: what happened, with which event, when and why. */
export type EventCorrection = {
  kind: CorrectionKind;
  other: string;
  at: string;
  summary: string;
  signals: Record<string, number>;
};

/** Corrections shown with an event, newest first; older ones stay stored. */
export const CORRECTIONS_SHOWN = 20;

/** The record a decision leaves on each of its events. */
export function decisionCorrections(
  decision: MaintenanceDecision,
  at: string,
): { eventId: string; correction: EventCorrection }[] {
  const record = (kind: CorrectionKind, other: string, explanation: MaintenanceExplanation): EventCorrection => ({
    kind,
    other,
    at,
    summary: explanation.summary,
    signals: explanation.signals,
  });
  if (decision.kind === "merge") {
    return [
      { eventId: decision.into, correction: record("merged", decision.from, decision.explanation) },
      { eventId: decision.from, correction: record("merged-into", decision.into, decision.explanation) },
    ];
  }
  return [
    { eventId: decision.from, correction: record("split", decision.into, decision.explanation) },
    { eventId: decision.into, correction: record("split-from", decision.from, decision.explanation) },
  ];
}

/** A sentence for people saying what a correction did, naming the other event by `otherTitle`. */
export function describeCorrection(correction: Pick<EventCorrection, "kind">, otherTitle: string): string {
  switch (correction.kind) {
    case "merged":
      return `“${otherTitle}” was found to be the same happening and merged into this event`;
    case "merged-into":
      return `merged into “${otherTitle}”, found to be the same happening`;
    case "split":
      return `some reports were found to tell another happening and moved to “${otherTitle}”`;
    case "split-from":
      return `split from “${otherTitle}”, whose reports told two happenings`;
  }
}
