import {
  type CompiledTheme,
  poolEvidence,
  scoreEvidence,
  scoreTheme,
  type ThemeEvidence,
  type ThemeScore,
  themeEvidence,
} from "../text-features/theme-score";
import { findCopy } from "./copy-check";
import type { EventState } from "./event";
import { nextEventState } from "./grow-event";
import { leadComparer } from "./lead-names";
import { DAY_MS, eventIdFor, explain, type MatchExplanation, type Matcher, type PreparedArticle } from "./matcher";
import { PENDING_LIMITS, reconsiderPending } from "./pending-pool";
import { matchProbability, profileFor, type Signals, SUMMARY_MAX_TERMS, sharesText, signalScorer } from "./signals";

/**
 * Decides where an article goes: off-theme, a copy of an article already in an event, attached
 * to the best candidate event, or the first article of a new event. Reads the matcher, changes
 * nothing.
 */
export function decideMatch(matcher: Matcher, prepared: PreparedArticle): MatchExplanation {
  const theme = matcher.theme === null ? null : scoreTheme(matcher.theme, prepared.features);
  const offTheme = explain(theme, {});
  // Far below the theme: no story of the theme could claim it, so it is not even looked up.
  if (theme !== null && matcher.theme !== null && theme.score < matcher.theme.definition.followUpThreshold) return offTheme;

  const { model } = matcher;
  const candidates = matcher.index.candidates({
    terms: [...prepared.vectors.title.keys(), ...prepared.vectors.body.keys()],
    entities: prepared.vectors.entities.keys(),
    time: prepared.vectors.time,
    windowMs: model.windowDays * DAY_MS,
    maxCandidates: model.maxCandidates,
  });

  const copy = findCopy(prepared, candidates, model.copyMaxHamming);
  if (copy !== null) {
    return {
      ...offTheme,
      decision: "copy",
      onTheme: true,
      eventId: copy.event.id,
      copyOf: copy.member.copyOf ?? copy.member.articleId,
      candidates: candidates.length,
    };
  }

  const profile = profileFor(model, prepared.vectors);
  const score = signalScorer(prepared.vectors, matcher.index);
  const scored = candidates
    .map((event) => {
      const signals = score(event);
      return { event, signals, probability: matchProbability(profile, signals) };
    })
    .sort((a, b) => b.probability - a.probability);
  // The best event it shares words and its lead with; the closest event overall is what a new event turned down.
  const onTheme = theme === null || theme.onTheme;
  const bar = onTheme ? profile.attachThreshold : profile.followUpThreshold;
  const best = bestCandidate(scored, prepared, matcher, bar, profile.followUpThreshold);
  const closest = scored[0];
  const second = scored.find((candidate) => candidate !== best);
  const runnerUp = second ? { eventId: second.event.id, probability: second.probability } : null;

  if (best !== undefined && best.probability >= bar) {
    return {
      decision: "attached",
      onTheme: true,
      theme,
      eventId: best.event.id,
      probability: best.probability,
      runnerUp,
      copyOf: null,
      signals: best.signals,
      candidates: candidates.length,
      reconsidered: false,
    };
  }
  const storyTheme = onTheme || theme === null ? null : storyThemeScore(matcher, prepared);
  if (!onTheme && storyTheme === null)
    return {
      ...offTheme,
      candidates: candidates.length,
      runnerUp: closest ? { eventId: closest.event.id, probability: closest.probability } : null,
    };
  return {
    decision: "new-event",
    onTheme: true,
    theme: storyTheme ?? theme,
    eventId: eventIdFor(matcher.themeId, prepared.input.id),
    // A new event has no probability of its own; the closest event it turned down is the runner-up.
    probability: null,
    runnerUp: closest ? { eventId: closest.event.id, probability: closest.probability } : null,
    copyOf: null,
    signals: closest?.signals ?? null,
    candidates: candidates.length,
    reconsidered: false,
  };
}

type Scored = { event: EventState; signals: Signals; probability: number };

/**
 * The event an article is judged against: the most probable one it shares words with. For a full
 * text, the most probable one it shares words and its leading name with (`leadComparer`), when
 * that one reaches `bar`; else the most probable it shares words with, when that one is a close
 * match (`close`); else the first of these that falls short of `bar`, or none.
 */
function bestCandidate(scored: readonly Scored[], prepared: PreparedArticle, matcher: Matcher, bar: number, close: number) {
  const sharing = scored.filter((candidate) => sharesText(candidate.signals));
  // A summary or a headline names too few names for the one it names most to be its lead.
  if (prepared.vectors.body.size < SUMMARY_MAX_TERMS) return sharing[0];
  const differs = leadComparer(prepared.vectors.entities, matcher.index.entityIdf);
  const sameLead = sharing.find((candidate) => !differs(candidate.event.entities));
  if (sameLead !== undefined && sameLead.probability >= bar) return sameLead;
  const strongest = sharing[0];
  return strongest !== undefined && strongest.probability >= Math.max(bar, close) ? strongest : sameLead;
}

/** Each prepared article's theme evidence, worked out once (pooled reports are read again and again). */
const evidenceByArticle = new WeakMap<PreparedArticle, ThemeEvidence>();

function evidenceOf(theme: CompiledTheme, prepared: PreparedArticle): ThemeEvidence {
  let evidence = evidenceByArticle.get(prepared);
  if (evidence === undefined) {
    evidence = themeEvidence(theme, prepared.features);
    evidenceByArticle.set(prepared, evidence);
  }
  return evidence;
}

/**
 * The theme score of the story an off-theme article would open with the earlier off-theme
 * reports it would claim (the pool): an attack's first reports name no group, a later one
 * does; or a report names the group in passing and its story's other reports carry the rest.
 * Returns that score when the story together is on-theme (anchored by at least one report),
 * else null. Reads the matcher, changes nothing.
 */
function storyThemeScore(matcher: Matcher, prepared: PreparedArticle): ThemeScore | null {
  const theme = matcher.theme;
  if (theme === null || matcher.pending.length === 0) return null;
  // The most the story could have: this report with every pooled one near it in time. Most
  // off-theme reports fall short of the theme even so, and the claims need not be worked out.
  const reach = 2 * PENDING_LIMITS.windowDays * DAY_MS;
  const near = matcher.pending.filter((entry) => Math.abs(entry.vectors.time - prepared.vectors.time) <= reach);
  const bound = scoreEvidence(theme, poolEvidence([prepared, ...near].map((entry) => evidenceOf(theme, entry))));
  if (!bound.onTheme) return null;
  const opened = nextEventState(matcher, prepared, {
    ...explain(null, {}),
    decision: "new-event",
    onTheme: true,
    eventId: eventIdFor(matcher.themeId, prepared.input.id),
  }) as EventState;
  const { claimed } = reconsiderPending(matcher, opened);
  if (claimed.length === 0) return null;
  const pooled = poolEvidence([prepared, ...claimed.map((entry) => entry.prepared)].map((entry) => evidenceOf(theme, entry)));
  const score = scoreEvidence(theme, pooled);
  return score.onTheme ? { ...score, story: { articles: claimed.length + 1 } } : null;
}
