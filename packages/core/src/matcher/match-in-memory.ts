import { scoreTheme } from "../text-features/theme-score";
import { decideMatch } from "./decide-match";
import type { EventState } from "./event";
import { nextEventState } from "./grow-event";
import { eventIdFor, explain, type MatchExplanation, type Matcher, type MatchInput, type PreparedArticle } from "./matcher";
import { addPending, preparePending, type Reconsidered, reconsiderPending, removePending } from "./pending-pool";
import { prepareArticle } from "./prepare-article";

/**
 * Decides and applies in one step, for streams matched in memory (evaluation, import). Returns
 * the article's explanation, the event it changed, any pooled articles the event claimed, and
 * the article as the matcher read it.
 */
export function matchInMemory(
  matcher: Matcher,
  input: MatchInput,
): { explanation: MatchExplanation; event: EventState | null; reconsidered: Reconsidered[]; prepared: PreparedArticle } {
  const prepared = prepareArticle(matcher, input);
  const explanation = decideMatch(matcher, prepared);
  let event = nextEventState(matcher, prepared, explanation);
  if (event === null) {
    if (matcher.theme !== null) addPending(matcher, preparePending(matcher, input, prepared));
    return { explanation, event, reconsidered: [], prepared };
  }
  const { claimed, event: grown } = reconsiderPending(matcher, event);
  event = grown;
  matcher.index.upsert(event);
  removePending(matcher, new Set(claimed.map((entry) => entry.prepared.input.id)));
  return { explanation, event, reconsidered: claimed, prepared };
}

/** The explanation of an imported article: it goes to `eventId`, or opens its own event. */
export function importExplanation(matcher: Matcher, prepared: PreparedArticle, eventId: string | null): MatchExplanation {
  return explain(matcher.theme === null ? null : scoreTheme(matcher.theme, prepared.features), {
    decision: "imported",
    onTheme: true,
    eventId: eventId ?? eventIdFor(matcher.themeId, prepared.input.id),
  });
}

/** Adds a known article to an event as imported, bypassing the decision (existing events). */
export function importIntoEvent(matcher: Matcher, input: MatchInput, eventId: string | null): EventState {
  const prepared = prepareArticle(matcher, input);
  const known = eventId === null ? undefined : matcher.index.events.get(eventId);
  const event = nextEventState(matcher, prepared, importExplanation(matcher, prepared, known?.id ?? null)) as EventState;
  matcher.index.upsert(event);
  return event;
}
