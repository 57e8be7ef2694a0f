import { hashId } from "../hash";
import type { EntityDictionary } from "../text-features/entities";
import type { ArticleFeatures } from "../text-features/features";
import type { CompiledTheme, ThemeScore } from "../text-features/theme-score";
import { EventIndex, INDEX_WINDOW } from "./event-index";
import type { ArticleVectors, MatcherModel, Signals } from "./signals";

/** What the matcher needs of an article. */
export type MatchInput = {
  id: string;
  sourceId: string;
  title: string;
  /** Full text when there is one, else the summary. */
  text: string;
  /** The opening of the text (what an article item keeps without its body). */
  summary: string;
  publishedAt: string;
  /** False when publishedAt is not a real publication time (no date in the feed, or none in the data). */
  dated: boolean;
  contentHash: string;
  /**
   * The name of the outlet that published it (its feed's title), never read as one of its
   * entities; a credit line naming the same outlet is told by it. Absent: the source id stands.
   */
  outlet?: string | null;
  /** The feed's author field, where an agency byline may be. */
  author?: string | null;
};

/** `imported`: placed by an import of labelled articles (existing events), not by a decision. */
export type MatchDecision = "new-event" | "attached" | "copy" | "off-theme" | "imported";

/** Why an article went where it went; stored with the article. */
export type MatchExplanation = {
  decision: MatchDecision;
  onTheme: boolean;
  /** Null when the theme filter is off (the MStream evaluation). */
  theme: ThemeScore | null;
  eventId: string | null;
  probability: number | null;
  runnerUp: { eventId: string; probability: number } | null;
  /** The article this one is a copy of. */
  copyOf: string | null;
  signals: Signals | null;
  candidates: number;
  /** True when an article first judged off-theme joined an event once its story appeared. */
  reconsidered: boolean;
};

/** One theme's matcher: the events it knows, the trained model, the theme (null: no filter). */
export type Matcher = {
  themeId: string;
  index: EventIndex;
  model: MatcherModel;
  theme: CompiledTheme | null;
  dictionary: EntityDictionary;
  /**
   * Recent off-theme articles, read from their title and summary, that a story appearing later
   * may claim (a report from before the group behind an attack was named, say).
   */
  pending: PreparedArticle[];
};

/** An article's features and vectors, computed once and used by the decision and the update. */
export type PreparedArticle = {
  input: MatchInput;
  features: ArticleFeatures;
  vectors: ArticleVectors;
  /** The article as published, when `input` is less of it (the pool reads summaries): whose report it is is read there. */
  whole?: MatchInput;
};

/** A day in milliseconds: the matcher's windows are given in days. */
export const DAY_MS = 86_400_000;

/** Creates an empty matcher for a theme. */
export function createMatcher(
  themeId: string,
  model: MatcherModel,
  theme: CompiledTheme | null,
  dictionary: EntityDictionary,
): Matcher {
  const index = new EventIndex(model.windowDays * DAY_MS, INDEX_WINDOW.minEvents);
  return { themeId, index, model, theme, dictionary, pending: [] };
}

/** The id of the event an article opens: stable, so a retried write names the same event. */
export function eventIdFor(themeId: string, articleId: string): string {
  return hashId("event", themeId, articleId);
}

/** An explanation: off-theme and empty unless `fields` say otherwise. */
export function explain(theme: ThemeScore | null, fields: Partial<MatchExplanation>): MatchExplanation {
  return {
    decision: "off-theme",
    onTheme: false,
    theme,
    eventId: null,
    probability: null,
    runnerUp: null,
    copyOf: null,
    signals: null,
    candidates: 0,
    reconsidered: false,
    ...fields,
  };
}
