import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Article } from "@eventwire/core";
import { matchArticle, matchArticles } from "@eventwire/pipeline";
import { keys } from "@eventwire/store";
import { describe, expect, it } from "vitest";
import { fixturesByName, pickFixture } from "../support/articles";
import { aroundCommits, createTestDeps, type TestDeps } from "../support/deps";
import { type TestStore, useTestTables } from "../support/store";

const { freshTable } = useTestTables();
const THEME = "isis-syria";

/** The fixture stream's articles by name: three reports of the dam's capture and its repairs, two of the Aleppo talks, two off-theme. */
const stream = () => fixturesByName("stream.jsonl");
const pick = pickFixture;

/**
 * Makes one change item of a stored commit invisible, as a reader may find it while the commit
 * is being written (DynamoDB's reads see a transaction's items one by one, not as a snapshot);
 * `show` writes it back, as the rest of the commit becomes visible.
 */
async function hideChange(table: TestStore, seq: number): Promise<{ show: () => Promise<void> }> {
  const key = keys.change(THEME, seq);
  const { Item } = await table.clients.doc.send(new GetCommand({ TableName: table.tableName, Key: key }));
  if (Item === undefined) throw new Error(`no change ${seq}`);
  await table.clients.doc.send(new DeleteCommand({ TableName: table.tableName, Key: key }));
  return { show: () => table.clients.doc.send(new PutCommand({ TableName: table.tableName, Item })).then(() => undefined) };
}

/** The same deps, whose first match commit first lets the hidden change be seen. */
function seenWhole(deps: TestDeps, hidden: { show: () => Promise<void> }): TestDeps {
  let shown = false;
  return aroundCommits(deps, async (input, commit) => {
    if (!shown) {
      shown = true;
      await hidden.show();
    }
    return commit(input);
  });
}

/**
 * Process A stores one commit of several changes: the dam opened and grown, the Aleppo talks
 * opened in the middle, the dam grown again. Returns the sequence of the talks' change and the
 * talks' event.
 */
async function commitSeveralChanges(a: TestDeps, table: TestStore, articles: Map<string, Article>) {
  const talks = pick(articles, "aleppo-talks");
  const run = ["dam-battle", "dam-captured", "aleppo-talks", "dam-repairs"].map((name) => pick(articles, name));
  const results = await matchArticles(a, run);
  expect(results.every((result) => result.stored === "created")).toBe(true);
  const changes = await table.store.changes.changeRecordsSince(THEME, 0, 100);
  const talksChange = changes.find((change) => change.articleId === talks.id);
  if (talksChange === undefined) throw new Error("the talks opened no event");
  // The talks' change has changes of the dam's on both sides: hidden, it is a gap in the middle.
  expect(changes.some((change) => change.seq < talksChange.seq)).toBe(true);
  expect(changes.some((change) => change.seq > talksChange.seq)).toBe(true);
  expect(talksChange.kind).toBe("created");
  return { seq: talksChange.seq, eventId: talksChange.eventId, last: changes.at(-1)?.seq ?? 0 };
}

/** B's cache loaded and current (an off-theme article judged on the empty theme); then A's commit, its talks' change hidden. */
async function catchingUpAcrossHiddenChange() {
  const table = await freshTable();
  const articles = stream();
  const a = createTestDeps(table.store);
  const b = createTestDeps(table.store);
  expect((await matchArticle(b, pick(articles, "cup-final"))).explanation?.decision).toBe("off-theme");
  const talks = await commitSeveralChanges(a, table, articles);
  const hidden = await hideChange(table, talks.seq);
  return { table, articles, b, talks, hidden };
}

describe("matcher cache catch-up", () => {
  describe("error", () => {
    it("a catching-up cache that meets a commit half-written does not move past the change it has not read", async () => {
      const { table, articles, b, talks, hidden } = await catchingUpAcrossHiddenChange();
      // B reads the log while the talks' change is not yet visible, and then judges the talks' second report.
      const outcome = await matchArticle(seenWhole(b, hidden), pick(articles, "aleppo-corridors"));
      expect(outcome.explanation).toMatchObject({ decision: "attached", eventId: talks.eventId });
      expect(b.logs.some((entry) => entry.message === "match retried on fresher state")).toBe(true);
      const events = (await table.store.events.listByTheme(THEME, { limit: 10 })).items;
      expect(events).toHaveLength(2);
      expect(events.find((event) => event.id === talks.eventId)).toMatchObject({ articleCount: 2 });
    });

    it("a cold start that meets a commit half-written does not move past the change it has not read", async () => {
      const table = await freshTable();
      const articles = stream();
      const a = createTestDeps(table.store);
      const talks = await commitSeveralChanges(a, table, articles);
      const hidden = await hideChange(table, talks.seq);

      // A new process loads its cache while the talks' change is not yet visible.
      const b = createTestDeps(table.store);
      const outcome = await matchArticle(seenWhole(b, hidden), pick(articles, "aleppo-corridors"));
      expect(outcome.explanation).toMatchObject({ decision: "attached", eventId: talks.eventId });
      const events = (await table.store.events.listByTheme(THEME, { limit: 10 })).items;
      expect(events).toHaveLength(2);
      expect(await table.store.changes.sequence(THEME)).toBe(talks.last + 1);
    });
  });

  describe("happy", () => {
    it("a change missing for a minute is taken as gone (the log's expiry) and the cache moves on", async () => {
      const { articles, b } = await catchingUpAcrossHiddenChange();
      // Two minutes on, the gap is no half-written commit: B reads on past it without waiting for it.
      b.clock.advance(120_000);
      const outcome = await matchArticle(b, pick(articles, "dam-captured-syndicated"));
      expect(outcome.stored).toBe("created");
      expect(b.logs.some((entry) => entry.message === "match retried on fresher state")).toBe(false);
    });
  });
});
