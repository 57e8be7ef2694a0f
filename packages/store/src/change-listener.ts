import type { Store } from "./create-store";

/** Told after a write that can change what a theme's feeds and listings show. */
export type ChangeListener = (themeId: string) => void;

/**
 * The same store, but `onChange` hears of every write that changes what is served: a match
 * committed (an article stored, an event opened or grown), an article stored without one, an
 * article's content edited, a maintenance decision stored or its articles moved. It is told once the write has ended, whatever its outcome, so a
 * write that lost a race or failed half-way still clears what it may have made stale.
 */
export function withChangeListener(store: Store, onChange: ChangeListener): Store {
  const { articles, events } = store;
  async function announce<T>(themeIds: string | readonly string[], write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      for (const themeId of typeof themeIds === "string" ? [themeIds] : themeIds) onChange(themeId);
    }
  }
  return {
    ...store,
    articles: {
      ...articles,
      putIfAbsent: (article) => announce(article.theme, articles.putIfAbsent(article)),
      // An edit changes the article's listings in each theme that judged it.
      updateContent: (article, before) =>
        announce([article.theme, ...article.memberships], articles.updateContent(article, before)),
    },
    events: {
      ...events,
      commitMatches: (input) => announce(input.themeId, events.commitMatches(input)),
      commitDecision: (input) => announce(input.themeId, events.commitDecision(input)),
      moveArticles: (moves) => announce(moves.themeId, events.moveArticles(moves)),
    },
  };
}
