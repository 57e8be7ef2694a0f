import { addSource, dispatchDeliveries, refreshSource } from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type DemoArticle,
  type DemoFeedServer,
  loadDemoCorpus,
  startDemoFeedServer,
} from "../../functions/local/demo/feed-server";
import { createTestDeps, TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

// The bundled demo corpus has wire reports republished by another outlet with a credit line
// ("… (Levant Wire)"). Ingested through its feeds one article at a time, in the corpus's order
// and with each such copy moved just before the report it copies, every story must end with the
// same distinct-source count and raise the same `event.corroborated` messages.

// The receivers verify signatures against Date.now(): Date alone is faked (timers stay real)
// and moved with the deps' clock.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});

const tables: TestStore[] = [];
const closers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  vi.useRealTimers();
  for (const closer of closers) await closer.close();
  for (const table of tables) await table.drop();
});

type StoryOutcome = { story: string; articles: number; sourceCount: number; sources: string[] };
type Run = {
  stories: StoryOutcome[];
  /** Each `event.corroborated` message as (story, source count, previous source count). */
  corroborated: string[];
  /** The same, for a subscription with minSources 3. */
  corroboratedAtThree: string[];
  decisions: Map<string, string>;
};

async function subscribe(deps: TestDeps, receiver: WebhookReceiver, body: Record<string, unknown>): Promise<void> {
  const { createApp } = await import("@eventwire/api");
  const response = await createApp(deps).request("/api/v1/subscriptions", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ url: receiver.url, ...body }),
  });
  expect(response.status).toBe(201);
  receiver.secrets.push(((await response.json()) as { secret: string }).secret);
}

/** The corpus id an article's URL ends with (`…/articles/d07`). */
const corpusId = (url: string | null) => url?.split("/").at(-1) ?? "";

/** Ingests the corpus in `order` through the demo feeds, one article and one fetch at a time. */
async function ingestInOrder(order: readonly DemoArticle[]): Promise<Run> {
  const table = await createTestStore();
  tables.push(table);
  const deps = createTestDeps(table.store);
  deps.config.webhooks = { ...deps.config.webhooks, allowPrivateUrls: true };
  const everyone = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
  const atThree = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
  closers.push(everyone, atThree);
  await subscribe(deps, everyone, { types: ["event.corroborated"] });
  await subscribe(deps, atThree, { types: ["event.corroborated"], filter: { minSources: 3 } });

  const server: DemoFeedServer = await startDemoFeedServer({ corpus: order, batchSize: 1, releaseEveryMs: null, now: deps.now });
  closers.push(server);
  const sourceOf = new Map<string, string>();
  for (const url of server.feedUrls) {
    const added = await addSource(deps, { url });
    if (!added.ok) throw new Error(added.error);
    sourceOf.set(
      url
        .split("/")
        .at(-1)
        ?.replace(/\.(rss|atom)$/, "") ?? "",
      added.source.id,
    );
  }
  // The server released the first article when it started; each later one is released ten minutes on.
  for (const [index, article] of order.entries()) {
    if (index > 0) {
      deps.clock.advance(10 * 60_000);
      server.releaseNext();
    }
    const result = await refreshSource(deps, sourceOf.get(article.outlet) as string);
    expect(result).toMatchObject({ ok: true, stored: 1 });
  }
  await dispatchDeliveries(deps);

  const storyOf = new Map(order.map((article) => [article.id, article.event ?? "none"]));
  const events = (await deps.store.events.listByTheme("isis-syria", { limit: 100 })).items;
  const storyOfEvent = new Map<string, string>();
  const stories: StoryOutcome[] = [];
  const decisions = new Map<string, string>();
  for (const event of events) {
    const articles = (await deps.store.articles.listByEvent(event.id, { limit: 100 })).items;
    const labels = [...new Set(articles.map((article) => storyOf.get(corpusId(article.url))))];
    expect(labels, `event ${event.title}`).toHaveLength(1);
    const story = labels[0] as string;
    storyOfEvent.set(event.id, story);
    for (const article of articles) decisions.set(corpusId(article.url), article.explanation?.decision ?? "");
    stories.push({
      story,
      articles: event.articleCount,
      sourceCount: event.outlets.length,
      sources: event.outlets.map((outlet) => outlet.name).sort(),
    });
  }
  const messagesOf = (receiver: WebhookReceiver) =>
    receiver.received
      .map((message) => {
        const event = message.payload.data.event as { id: string; sourceCount: number; previous: { sourceCount: number } };
        return `${storyOfEvent.get(event.id)}: ${event.previous.sourceCount} -> ${event.sourceCount}`;
      })
      .sort();
  return {
    stories: stories.sort((a, b) => a.story.localeCompare(b.story)),
    corroborated: messagesOf(everyone),
    corroboratedAtThree: messagesOf(atThree),
    decisions,
  };
}

/** The demo's credited copies, each with the report it copies. */
function creditedCopies(corpus: readonly DemoArticle[]): { copy: DemoArticle; original: DemoArticle }[] {
  return corpus
    .filter((article) => article.text.endsWith("(Levant Wire)"))
    .map((copy) => {
      const original = corpus.find((article) => article.outlet === "levant-wire" && copy.text.startsWith(article.text));
      if (original === undefined) throw new Error(`demo corpus: ${copy.id} copies no report of the corpus`);
      return { copy, original };
    });
}

/** The corpus with each credited copy moved to just before the report it copies. */
function copiesFirst(corpus: readonly DemoArticle[]): DemoArticle[] {
  const copies = creditedCopies(corpus);
  const moved = new Set(copies.map(({ copy }) => copy.id));
  return corpus
    .filter((article) => !moved.has(article.id))
    .flatMap((article) => [...copies.filter(({ original }) => original.id === article.id).map(({ copy }) => copy), article]);
}

describe("syndicated copies in the demo corpus", () => {
  const corpus = loadDemoCorpus();
  let forward: Run;
  let reversed: Run;

  beforeAll(async () => {
    forward = await ingestInOrder(corpus);
    reversed = await ingestInOrder(copiesFirst(corpus));
  }, 180_000);

  it("has copies crediting another outlet, each arriving after its original in one order and before it in the other", () => {
    const copies = creditedCopies(corpus);
    expect(copies.length).toBeGreaterThanOrEqual(3);
    expect(
      copiesFirst(corpus)
        .map((article) => article.id)
        .sort(),
    ).toEqual(corpus.map((article) => article.id).sort());
    for (const { copy, original } of copies) {
      // Whichever came second is the copy.
      expect(forward.decisions.get(copy.id), copy.id).toBe("copy");
      expect(reversed.decisions.get(original.id), original.id).toBe("copy");
      expect(reversed.decisions.get(copy.id), copy.id).not.toBe("copy");
    }
  });

  it("ends every story with the same sources in both orders, a credited copy counting for the outlet it credits", () => {
    expect(reversed.stories).toEqual(forward.stories);
    expect(forward.stories.map((outcome) => outcome.story)).toEqual(
      [...new Set(corpus.map((article) => article.event))].filter((story) => story !== null).sort(),
    );
    for (const outcome of forward.stories) {
      expect(outcome.sources, outcome.story).not.toContain("Crescent Times");
      expect(outcome.sourceCount, outcome.story).toBe(outcome.sources.length);
    }
    // The stories the copying outlet republished count the wire, not the copier.
    const copied = forward.stories.filter((outcome) =>
      corpus.some((article) => article.event === outcome.story && article.outlet === "crescent-times"),
    );
    expect(copied.length).toBeGreaterThanOrEqual(3);
    for (const outcome of copied) expect(outcome.sources, outcome.story).toContain("Levant Wire");
  });

  it("raises the same event.corroborated messages in both orders", () => {
    expect(forward.corroborated.length).toBe(forward.stories.filter((outcome) => outcome.sourceCount >= 2).length);
    expect(forward.corroborated.every((line) => line.endsWith("1 -> 2"))).toBe(true);
    expect(reversed.corroborated).toEqual(forward.corroborated);
    // No story has a third outlet of its own: a subscription waiting for three hears nothing either way.
    expect(forward.corroboratedAtThree).toEqual([]);
    expect(reversed.corroboratedAtThree).toEqual([]);
  });
});
