import { createHash } from "node:crypto";
import { type Article, addToGrowth, type EntityType, type EventState, outletOfName, sourceOutlet } from "@eventwire/core";
import type { CommitOutcome, Store } from "@eventwire/store";
import { testArticle } from "./articles";

/** One article of a story written for a test: which outlet, when, what headline. */
type StoryArticle = {
  source: string;
  published: string;
  title: string;
  summary?: string;
  link?: string;
  /** Stored as the article's URL as written, past normalisation (which would refuse a bad one). */
  storedUrl?: string;
  /** The outlet the article credits (a syndicated copy, a wire story): it counts for that outlet. */
  credits?: string;
  /** The index in the story of the article this one copies; crediting no one, it counts for none. */
  copyOf?: number;
};

/** A story written for a test: an event title, its articles oldest first, the entities it names. */
export type Story = { title: string; articles: StoryArticle[]; entities?: Record<string, EntityType> };

const THEME = "isis-syria";
const hex = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

/**
 * Stores a story as an event with its articles through the store's own commit, the way the
 * matcher does, one article per commit, so tests of what is served do not depend on what the
 * matcher decides. Returns the event as stored and its articles.
 */
export async function storeStory(
  store: Store,
  story: Story,
  fetchedAt = new Date("2026-05-04T10:00:00Z"),
): Promise<{ event: EventState; articles: Article[] }> {
  const id = hex(`event:${story.title}`);
  const articles: Article[] = [];
  let event: EventState | null = null;
  for (const written of story.articles) {
    const article: Article = {
      ...testArticle(
        {
          title: written.title,
          link: written.link ?? `https://${written.source}/${hex(written.title).slice(0, 8)}`,
          date: written.published,
          summaryHtml: written.summary ?? `${written.title}. Reported by ${written.source}.`,
        },
        { sourceId: written.source, sourceTitle: written.source, fetchedAt },
      ),
      onTheme: true,
      themeScore: 0.9,
      eventId: id,
    };
    // A test may write what normalisation would have cleaned, to check the feeds clean it too.
    const stored: Article = {
      ...article,
      title: written.title,
      ...(written.summary ? { summary: written.summary } : {}),
      ...(written.storedUrl ? { url: written.storedUrl } : {}),
    };
    const previous: EventState | null = event;
    const own = sourceOutlet(stored.sourceId, stored.sourceTitle);
    const credited = written.credits === undefined ? null : outletOfName(written.credits);
    const copyOf = written.copyOf === undefined ? null : (articles[written.copyOf]?.id ?? null);
    const counted = credited ?? (copyOf === null ? own : null);
    const members = [
      ...(previous?.members ?? []),
      {
        articleId: stored.id,
        sourceId: stored.sourceId,
        publishedAt: stored.publishedAt,
        simhash: null,
        contentHash: stored.contentHash,
        copyOf,
        outlet: counted?.key ?? null,
        credit: written.credits ?? null,
      },
    ];
    const outlets = previous?.outlets ?? [];
    const firstSeen = previous?.firstSeen ?? stored.publishedAt;
    const next: EventState = {
      id,
      theme: THEME,
      version: previous?.version ?? 0,
      seq: 0,
      title: story.title,
      centralArticleId: previous?.centralArticleId ?? stored.id,
      centralTerms: new Map(),
      centralScore: 1,
      firstSeen,
      lastSeen: previous === null || stored.publishedAt > previous.lastSeen ? stored.publishedAt : previous.lastSeen,
      articleCount: members.length,
      originalCount: members.length,
      outlets: counted === null || outlets.some((outlet) => outlet.key === counted.key) ? outlets : [...outlets, counted],
      titleTerms: new Map(),
      bodyTerms: new Map(),
      entities: new Map(Object.entries(story.entities ?? {}).map(([key, type]) => [key, { type, weight: 1 }])),
      members,
      growth: addToGrowth(previous?.growth, stored.publishedAt, firstSeen),
    };
    const expectedSeq = await store.changes.sequence(THEME);
    const grown = { ...next, version: next.version + 1, seq: expectedSeq + 1 };
    const outcome: CommitOutcome = await store.events.commitMatches({
      themeId: THEME,
      expectedSeq,
      guarded: true,
      articles: [
        {
          article: stored,
          change: {
            seq: grown.seq,
            eventId: id,
            kind: previous === null ? "created" : "updated",
            before: previous === null ? null : { articleCount: previous.articleCount, sourceCount: previous.outlets.length },
            after: { articleCount: grown.articleCount, sourceCount: grown.outlets.length },
            claimedArticleIds: [],
          },
        },
      ],
      events: [{ event: grown, previousVersion: previous === null ? null : previous.version }],
      reconsidered: [],
      now: fetchedAt,
    });
    if (outcome.kind !== "committed") throw new Error(`storing "${written.title}": ${outcome.kind}`);
    event = grown;
    articles.push(stored);
  }
  if (event === null) throw new Error(`story "${story.title}" has no articles`);
  return { event, articles };
}

/** Stores stories in order with `storeStory`: their events and all their articles, in the same order. */
export async function storeStories(
  store: Store,
  stories: readonly Story[],
): Promise<{ events: EventState[]; articles: Article[] }> {
  const events: EventState[] = [];
  const articles: Article[] = [];
  for (const story of stories) {
    const stored = await storeStory(store, story);
    events.push(stored.event);
    articles.push(...stored.articles);
  }
  return { events, articles };
}
