import { scoreTheme } from "../text-features/theme-score";
import { findCopy } from "./copy-check";
import type { EventState } from "./event";
import { nextEventState } from "./grow-event";
import { DAY_MS, type MatchExplanation, type Matcher, type MatchInput, type PreparedArticle } from "./matcher";
import { prepareArticle } from "./prepare-article";
import { computeSignals, matchProbability, profileFor, sharesText } from "./signals";

/** How long, and how many, off-theme articles wait for a story that may claim them. */
export const PENDING_LIMITS = { windowDays: 3, size: 2000 } as const;

/**
 * The article as the pending pool reads it: title and summary, as a stored item has them, with
 * the fingerprint of its full text when there is one (copies are told by full texts).
 */
export function preparePending(matcher: Matcher, input: MatchInput, fingerprint: PreparedArticle | null = null): PreparedArticle {
  // Whose report it is is read from the whole text, where a closing credit is.
  const prepared = { ...prepareArticle(matcher, { ...input, text: input.summary }), whole: input };
  if (fingerprint === null || fingerprint.features.simhash === null) return prepared;
  return { ...prepared, features: { ...prepared.features, simhash: fingerprint.features.simhash } };
}

/** Adds an off-theme article to the pool (once), dropping those too old to be claimed now. */
export function addPending(matcher: Matcher, pending: PreparedArticle): void {
  const horizon = pending.vectors.time - PENDING_LIMITS.windowDays * DAY_MS;
  const kept = matcher.pending.filter((entry) => entry.vectors.time >= horizon && entry.input.id !== pending.input.id);
  matcher.pending = [...kept, pending].slice(-PENDING_LIMITS.size);
}

/**
 * Adds off-theme articles to the pool in order, as `addPending` would one by one. A cold start
 * fills an empty pool with articles in time order and distinct: then each add only drops the
 * oldest (by the window or the size), so what stays is a run at the list's end, found in one
 * pass rather than by copying the pool once an article. Any other list is added one by one.
 */
export function addPendingAll(matcher: Matcher, list: readonly PreparedArticle[]): void {
  const last = list.at(-1);
  if (last === undefined) return;
  const inOrder =
    matcher.pending.length === 0 &&
    list.every((entry, index) => index === 0 || (list[index - 1] as PreparedArticle).vectors.time <= entry.vectors.time) &&
    new Set(list.map((entry) => entry.input.id)).size === list.length;
  if (!inOrder) {
    for (const pending of list) addPending(matcher, pending);
    return;
  }
  const horizon = last.vectors.time - PENDING_LIMITS.windowDays * DAY_MS;
  let start = Math.max(0, list.length - PENDING_LIMITS.size);
  while ((list[start] as PreparedArticle).vectors.time < horizon) start += 1;
  matcher.pending = list.slice(start);
}

export type Reconsidered = { prepared: PreparedArticle; explanation: MatchExplanation };

/**
 * The pooled off-theme articles that an event, as it now stands, claims: close in time and
 * matching it as strongly as a follow-up must. Returns them with the event grown by each; the
 * caller removes them from the pool once the change is stored.
 */
export function reconsiderPending(
  matcher: Matcher,
  event: EventState,
  limit = Number.POSITIVE_INFINITY,
): { claimed: Reconsidered[]; event: EventState } {
  const claimed: Reconsidered[] = [];
  let current = event;
  const windowMs = PENDING_LIMITS.windowDays * DAY_MS;
  for (const prepared of matcher.pending) {
    if (claimed.length >= limit) break;
    const gap = Math.max(
      0,
      prepared.vectors.time - Date.parse(current.lastSeen),
      Date.parse(current.firstSeen) - prepared.vectors.time,
    );
    if (gap > windowMs) continue;
    const copy = findCopy(prepared, [current], matcher.model.copyMaxHamming);
    const profile = profileFor(matcher.model, prepared.vectors);
    const signals = computeSignals(prepared.vectors, current, matcher.index);
    const probability = matchProbability(profile, signals);
    if (copy === null && (probability < profile.followUpThreshold || !sharesText(signals))) continue;
    const explanation: MatchExplanation = {
      decision: copy === null ? "attached" : "copy",
      onTheme: true,
      theme: matcher.theme === null ? null : scoreTheme(matcher.theme, prepared.features),
      eventId: current.id,
      probability,
      runnerUp: null,
      copyOf: copy === null ? null : (copy.member.copyOf ?? copy.member.articleId),
      signals,
      candidates: 1,
      reconsidered: true,
    };
    current = nextEventState(matcher, prepared, explanation, current) as EventState;
    claimed.push({ prepared, explanation });
  }
  // Growing by claims is part of the same change: the event keeps the version it came in with.
  return { claimed, event: { ...current, version: event.version } };
}

/** Removes claimed articles from the pool. */
export function removePending(matcher: Matcher, ids: ReadonlySet<string>): void {
  if (ids.size > 0) matcher.pending = matcher.pending.filter((entry) => !ids.has(entry.input.id));
}
