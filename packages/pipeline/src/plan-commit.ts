import {
  type Article,
  addPending,
  type EventState,
  type MatchExplanation,
  type Matcher,
  nextEventState,
  type PreparedArticle,
  prepareArticle,
  preparePending,
  reconsiderPending,
  removePending,
} from "@eventwire/core";
import {
  type CommitMatchesInput,
  MAX_RECONSIDERED_PER_COMMIT,
  MAX_TRANSACTION_ITEMS,
  type MatchChange,
  type MatchedArticle,
  type ReconsideredArticle,
} from "@eventwire/store";
import { toMatchInput } from "./match-input";

/** How an article of a run is judged: the matcher's decision, or an import's placement. */
export type Decide = (matcher: Matcher, prepared: PreparedArticle) => MatchExplanation;

/** How much one commit carries: DynamoDB allows 100 items and 4 MB in a transaction. */
export type CommitLimits = { articles: number; bytes: number };

/** A run of up to 25 articles a transaction: about 80 items, well inside DynamoDB's bounds. */
export const COMMIT_LIMITS: CommitLimits = { articles: 25, bytes: 3_000_000 };

/** An article's share of a transaction's bytes, generously: the summary item repeats the title and summary. */
function articleBytes(article: Article): number {
  return 2 * (Buffer.byteLength(article.title) + Buffer.byteLength(article.summary)) + Buffer.byteLength(article.text) + 4096;
}

/** An event item's bytes, roughly: its term maps, one entry per member and per outlet. */
function eventBytes(event: EventState): number {
  return 8192 + 256 * event.members.length + 64 * event.outlets.length;
}

const countsOf = (event: EventState) => ({ articleCount: event.articleCount, sourceCount: event.outlets.length });

/** The decisions of one commit, already applied to the cache; `undo` takes them back out. */
export type Plan = {
  commit: CommitMatchesInput;
  /** The theme's sequence once the commit is stored. */
  seqAfter: number;
  /** Articles of the run already stored off-theme (they wait in the cache's pool): nothing to write. */
  known: string[];
  /** The queue without the articles this plan decided or found stored. */
  rest: Article[];
  undo(): void;
};

/**
 * Decides the first articles of `queue`, in order, as many as one transaction holds, applying
 * each decision to the cache before the next (so a run's articles see one another, exactly as
 * one-at-a-time matching would), and records what to write. Nothing is stored yet. An article
 * already in the pool of off-theme articles is stored already, so it is left out: written again
 * it would meet its own claim in the same transaction.
 */
export function planCommit(
  matcher: Matcher,
  expectedSeq: number,
  queue: readonly Article[],
  decide: Decide,
  lateClaims: boolean,
  limits: CommitLimits,
  now: Date,
): Plan {
  const indexBefore = new Map<string, EventState | undefined>();
  const pendingBefore = matcher.pending;
  const events = new Map<string, { event: EventState; previousVersion: number | null }>();
  const articles: MatchedArticle[] = [];
  const position = new Map<string, number>();
  const reconsidered: ReconsideredArticle[] = [];
  const pooled = new Set(matcher.pending.map((entry) => entry.input.id));
  const known: string[] = [];
  const undo = () => {
    for (const [id, state] of indexBefore) {
      if (state === undefined) matcher.index.remove(id);
      else matcher.index.upsert(state);
    }
    matcher.pending = pendingBefore;
  };
  let items = 1;
  let bytes = 0;
  let guarded = false;
  let seq = expectedSeq;
  try {
    for (const article of queue) {
      if (articles.length >= limits.articles) break;
      if (pooled.has(article.id)) {
        known.push(article.id);
        continue;
      }
      const input = toMatchInput(article);
      const prepared = prepareArticle(matcher, input);
      const explanation = decide(matcher, prepared);
      const judged: Article = {
        ...article,
        onTheme: explanation.onTheme,
        themeScore: explanation.theme?.score ?? null,
        eventId: explanation.decision === "off-theme" ? null : explanation.eventId,
        explanation,
      };
      const grown = nextEventState(matcher, prepared, explanation);
      // An article judged without looking at events (far below the theme) needs no guard.
      const lookedAtEvents =
        explanation.theme === null || explanation.theme.score >= (matcher.theme?.definition.followUpThreshold ?? 0);
      const previous = grown === null || explanation.decision === "new-event" ? undefined : matcher.index.events.get(grown.id);
      const { claimed, event } =
        grown !== null && lateClaims
          ? reconsiderPending(matcher, grown, MAX_RECONSIDERED_PER_COMMIT)
          : { claimed: [], event: grown };
      const claimedStored = claimed.filter((entry) => !position.has(entry.prepared.input.id)).length;
      const newEvent = event !== null && !events.has(event.id);
      const cost = 2 + (event === null ? 0 : 1) + (newEvent ? 1 : 0) + claimedStored;
      const weight = articleBytes(judged) + (newEvent && event !== null ? eventBytes(event) : 0);
      // The first article always fits: five items and its claims stay inside a transaction.
      if (articles.length > 0 && (items + cost > MAX_TRANSACTION_ITEMS || bytes + weight > limits.bytes)) break;
      items += cost;
      bytes += weight;
      guarded ||= lookedAtEvents || event !== null;

      let change: MatchChange | null = null;
      if (event !== null) {
        if (!indexBefore.has(event.id)) indexBefore.set(event.id, matcher.index.events.get(event.id));
        seq += 1;
        const next: EventState = { ...event, seq, version: (previous?.version ?? 0) + 1 };
        matcher.index.upsert(next);
        // The stored version is the one the run's first change to the event grew from.
        const stored = events.has(next.id) ? (events.get(next.id)?.previousVersion ?? null) : (previous?.version ?? null);
        events.set(next.id, { event: next, previousVersion: stored });
        change = {
          seq,
          eventId: next.id,
          kind: previous === undefined ? "created" : "updated",
          before: previous === undefined ? null : countsOf(previous),
          after: countsOf(next),
          claimedArticleIds: claimed.map((entry) => entry.prepared.input.id),
        };
        for (const entry of claimed) {
          const joined = {
            articleId: entry.prepared.input.id,
            explanation: entry.explanation,
            eventId: entry.explanation.eventId as string,
          };
          const earlier = position.get(joined.articleId);
          // An article of this run is written already joined: one item may not be written twice.
          if (earlier === undefined) reconsidered.push(joined);
          else {
            const entryOfRun = articles[earlier] as MatchedArticle;
            const joinedArticle = {
              ...entryOfRun.article,
              onTheme: true,
              eventId: joined.eventId,
              explanation: joined.explanation,
            };
            articles[earlier] = { ...entryOfRun, article: joinedArticle };
          }
        }
        removePending(matcher, new Set(change.claimedArticleIds));
      } else {
        addPending(matcher, preparePending(matcher, input, prepared));
      }
      position.set(judged.id, articles.length);
      articles.push({ article: judged, change });
    }
  } catch (error) {
    // A decision that throws leaves nothing of the plan in the cache.
    undo();
    throw error;
  }
  const consumed = new Set([...position.keys(), ...known]);
  return {
    commit: {
      themeId: matcher.themeId,
      expectedSeq,
      guarded,
      articles,
      events: [...events.values()],
      reconsidered,
      now,
    },
    seqAfter: seq,
    known,
    rest: queue.filter((article) => !consumed.has(article.id)),
    undo,
  };
}
