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
import type { CommitMatchesInput, MatchChange, MatchCommitRoom, MatchedArticle, ReconsideredArticle } from "@eventwire/store";
import { toMatchInput } from "./match-input";

/** How an article of a run is judged: the matcher's decision, or an import's placement. */
export type Decide = (matcher: Matcher, prepared: PreparedArticle) => MatchExplanation;

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
 * Decides the first articles of `queue`, in order, as many as one commit holds (`room`, the
 * store's measure of a commit), applying each decision to the cache before the next (so a run's
 * articles see one another, exactly as one-at-a-time matching would), and records what to write. Nothing is stored yet. An article
 * already in the pool of off-theme articles is stored already, so it is left out: written again
 * it would meet its own claim in the same transaction. An article in `stored` is stored already
 * (another theme judged it first): the commit stores this theme's membership of it.
 */
export function planCommit(
  matcher: Matcher,
  expectedSeq: number,
  queue: readonly Article[],
  decide: Decide,
  lateClaims: boolean,
  room: MatchCommitRoom,
  now: Date,
  stored: ReadonlySet<string> = new Set(),
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
  let guarded = false;
  let seq = expectedSeq;
  try {
    for (const article of queue) {
      if (room.isFull()) break;
      if (pooled.has(article.id)) {
        known.push(article.id);
        continue;
      }
      const input = toMatchInput(article);
      const prepared = prepareArticle(matcher, input);
      const explanation = decide(matcher, prepared);
      const judged: Article = {
        ...article,
        // The run's theme judged it, whichever theme the article was read for.
        theme: matcher.themeId,
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
        grown !== null && lateClaims ? reconsiderPending(matcher, grown, room.claimsAtMost) : { claimed: [], event: grown };
      const claimedStored = claimed.filter((entry) => !position.has(entry.prepared.input.id)).length;
      const firstChangeOfEvent = event !== null && !events.has(event.id);
      // The first article always fits; one that does not waits for the next commit.
      if (!room.take({ article: judged, event, firstChangeOfEvent, claimedStored })) break;
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
      articles.push({ article: judged, change, ...(stored.has(judged.id) ? { membership: true } : {}) });
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
