import { type Article, createThemeMatcher, type EventState, matchInMemory, type ThemeDefinition } from "@eventwire/core";
import { importEvents, matchArticle, matchArticles, toMatchInput } from "@eventwire/pipeline";
import type { CommitMatchesInput } from "@eventwire/store";
import { describe, expect, it } from "vitest";
import { readImportGroups } from "../../functions/eval-files";
import { fixtureStream, testArticle } from "../support/articles";
import { aroundCommits, createTestDeps, type TestDeps } from "../support/deps";
import { type TestStore, useTestTables } from "../support/store";

const { freshTable } = useTestTables();

const FIXTURES = new URL("../fixtures/articles/", import.meta.url).pathname;

function damReport(id: string, source: string, body: string): Article {
  return {
    ...testArticle(
      {
        title: `Euphrates dam captured from Islamic State, ${source} reports`,
        link: `https://${source}.example/${id}`,
        date: "2026-03-02T10:00:00Z",
        contentHtml: body,
      },
      { sourceId: source, sourceTitle: source },
    ),
  };
}

const DAM =
  "Syrian Democratic Forces captured the Tabqa dam on the Euphrates on Monday after Islamic State militants withdrew overnight from Raqqa province. Engineers inspected the spillway for damage while teams cleared mines near the control rooms.";

// Reports of the dam's capture by other outlets, each written its own way (not copies).
const DAM_REPORTS = {
  b: "Kurdish-led SDF units took control of the Euphrates dam at Tabqa after the jihadists fled west of Raqqa overnight, and the dam's turbines appeared intact, an SDF spokesman said.",
  c: "The fall of Tabqa dam to the Syrian Democratic Forces leaves Islamic State with a shrinking strip of the Euphrates valley near Raqqa; aid convoys were waiting to cross the river on Monday.",
  d: "Repairs at the Tabqa dam on the Euphrates will take weeks, engineers said after the SDF captured it from Islamic State fighters near Raqqa, warning of damage to the spillway gates.",
};

/**
 * An off-theme report of an attack, and the next day's report that Islamic State claimed it:
 * the second opens an event that claims the first.
 */
function concertAttack(): { early: Article; claim: Article } {
  const early = testArticle(
    {
      title: "Gunmen open fire at concert hall in Riverton",
      link: "https://outlet-e.example/early",
      date: "2026-04-10T20:00:00Z",
      contentHtml:
        "Gunmen in combat fatigues opened fire at a concert hall in Riverton on Friday night, killing at least forty people and wounding more than a hundred, emergency services said. The attackers set the hall on fire before fleeing.",
    },
    { sourceId: "outlet-e", sourceTitle: "outlet-e" },
  );
  const claim = testArticle(
    {
      title: "Islamic State claims Riverton concert hall attack",
      link: "https://outlet-f.example/claim",
      date: "2026-04-11T08:00:00Z",
      contentHtml:
        "The Islamic State group claimed responsibility for the attack on a concert hall in Riverton, where gunmen in combat fatigues opened fire on Friday night, killing at least forty people, wounding more than a hundred and setting the hall on fire.",
    },
    { sourceId: "outlet-f", sourceTitle: "outlet-f" },
  );
  return { early, claim };
}

/** Two processes' view of one table: separate matcher caches, as two Lambda containers have. */
function twoProcesses(table: TestStore): [TestDeps, TestDeps] {
  return [createTestDeps(table.store), createTestDeps(table.store)];
}

/** Holds one process's match commits until `release` is called, to force an interleaving. */
function holdCommits(deps: TestDeps): {
  deps: TestDeps;
  release: () => void;
  waiting: Promise<void>;
  seen: CommitMatchesInput[];
} {
  const seen: CommitMatchesInput[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = () => {};
  const waiting = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return {
    release,
    waiting,
    seen,
    deps: aroundCommits(deps, async (input, commit) => {
      seen.push(input);
      reached();
      await gate;
      return commit(input);
    }),
  };
}

async function eventsOf(table: TestStore): Promise<EventState[]> {
  return (await table.store.events.listByTheme("isis-syria", { limit: 100 })).items;
}

describe("matching against the store", () => {
  it("two processes opening the same story at once end with one event holding every article", async () => {
    const table = await freshTable();
    const [a, b] = twoProcesses(table);
    const held = holdCommits(b);
    // B decides first, on a sequence where no event exists, then waits; A opens the event.
    const fromB = matchArticle(held.deps, damReport("b1", "outlet-b", DAM_REPORTS.b));
    await held.waiting;
    const fromA = await matchArticle(
      a,
      damReport("a1", "outlet-a", `${DAM} Outlet A adds that residents were told to stay alert.`),
    );
    expect(fromA.explanation?.decision).toBe("new-event");
    held.release();
    // B's commit finds the sequence moved, catches up and decides again: it joins A's event.
    const outcome = await fromB;
    expect(outcome.explanation).toMatchObject({ decision: "attached", eventId: fromA.explanation?.eventId });
    expect(b.logs.some((entry) => entry.message === "match retried on fresher state")).toBe(true);

    const events = await eventsOf(table);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ articleCount: 2, outlets: [{ name: "outlet-a" }, { name: "outlet-b" }] });
    const articles = await table.store.articles.listByEvent(events[0]?.id ?? "", { limit: 10 });
    expect(articles.items.map((article) => article.id).sort()).toHaveLength(2);
  });

  it("two processes adding to one event at once lose neither update", async () => {
    const table = await freshTable();
    const [a, b] = twoProcesses(table);
    await matchArticle(a, damReport("first", "outlet-a", DAM));
    // B learns the event, then decides on it while A adds to it.
    await matchArticle(b, damReport("second", "outlet-b", DAM_REPORTS.b));
    const held = holdCommits(b);
    const fromB = matchArticle(held.deps, damReport("fourth", "outlet-d", DAM_REPORTS.d));
    await held.waiting;
    await matchArticle(a, damReport("third", "outlet-c", DAM_REPORTS.c));
    held.release();
    await fromB;
    const events = await eventsOf(table);
    expect(events).toHaveLength(1);
    expect(events[0]?.articleCount).toBe(4);
    expect(events[0]?.outlets.map((outlet) => outlet.name).sort()).toEqual(["outlet-a", "outlet-b", "outlet-c", "outlet-d"]);
  });

  it("stores the same decisions as the in-memory matcher the evaluation uses", async () => {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const articles = fixtureStream("stream.jsonl");
    const memory = createThemeMatcher(deps.config.themes[0] as ThemeDefinition, deps.config.model);
    const expected = new Map(articles.map((article) => [article.id, matchInMemory(memory, toMatchInput(article)).explanation]));
    for (const article of articles) await matchArticle(deps, article);
    for (const article of articles) {
      const stored = await table.store.articles.get(article.id);
      const wanted = expected.get(article.id);
      expect(stored?.explanation?.decision, article.title).toBe(wanted?.decision);
      expect(stored?.eventId ?? null).toBe(wanted?.decision === "off-theme" ? null : wanted?.eventId);
      expect(stored?.onTheme).toBe(wanted?.onTheme);
    }
  });

  it("restarts with an empty cache and carries on where the table left off", async () => {
    const table = await freshTable();
    const articles = fixtureStream("stream.jsonl");
    const first = createTestDeps(table.store);
    for (const article of articles.slice(0, 4)) await matchArticle(first, article);
    // A cold start: a new process, nothing in memory.
    const second = createTestDeps(table.store);
    for (const article of articles.slice(4)) await matchArticle(second, article);
    const dam = (await eventsOf(table)).find((event) => event.title.includes("dam") || event.title.includes("Dam"));
    expect(dam?.articleCount).toBe(4);
  });

  it("stores a late claim: the event takes an earlier off-theme report in the same write", async () => {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const { early, claim } = concertAttack();
    expect((await matchArticle(deps, early)).explanation?.decision).toBe("off-theme");
    const outcome = await matchArticle(deps, claim);
    expect(outcome).toMatchObject({ stored: "created", explanation: { decision: "new-event" } });
    const stored = await table.store.articles.get(early.id);
    expect(stored).toMatchObject({ onTheme: true, eventId: outcome.explanation?.eventId, explanation: { reconsidered: true } });
    const [event] = await eventsOf(table);
    expect(event).toMatchObject({ articleCount: 2, version: 1 });
    expect((await table.store.articles.listByEvent(event?.id ?? "", { limit: 10 })).items).toHaveLength(2);
    // A later process finds the claimed report in the theme's feed partition, not the off-theme one.
    expect((await table.store.articles.listOffTheme("isis-syria", { limit: 10 })).items).toHaveLength(0);
    expect((await table.store.articles.listByTheme("isis-syria", { limit: 10 })).items).toHaveLength(2);
  });

  it("decides an off-theme article again when another process changed the events meanwhile", async () => {
    const table = await freshTable();
    const [a, b] = twoProcesses(table);
    // B looks at the events for a borderline article; A opens the story it belongs to meanwhile.
    const held = holdCommits(b);
    const borderline = damReport(
      "borderline",
      "outlet-b",
      DAM_REPORTS.b.replace(/Kurdish-led SDF units|the jihadists|SDF/g, "fighters"),
    );
    const fromB = matchArticle(held.deps, { ...borderline, title: "Fighters take control of Euphrates dam at Tabqa" });
    await held.waiting;
    // B judged it off-theme on an empty index, and writes that decision under the sequence guard.
    expect(held.seen[0]?.events).toEqual([]);
    await matchArticle(a, damReport("opening", "outlet-a", DAM));
    held.release();
    const outcome = await fromB;
    expect(b.logs.some((entry) => entry.message === "match retried on fresher state")).toBe(true);
    expect(outcome.stored).toBe("created");
  });

  it("imports labelled articles as existing events, once", async () => {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const { groups } = readImportGroups(`${FIXTURES}stream.jsonl`, "isis-syria", deps.now());
    expect(await importEvents(deps, groups)).toEqual({ events: 2, imported: 6, existing: 0 });
    expect(await importEvents(createTestDeps(table.store), groups)).toEqual({ events: 2, imported: 0, existing: 6 });
    const events = await eventsOf(table);
    expect(events.map((event) => event.articleCount).sort()).toEqual([2, 4]);
    // A follow-up now attaches to the imported story.
    const followUp = await matchArticle(deps, damReport("later", "outlet-z", DAM_REPORTS.d));
    expect(events.map((event) => event.id)).toContain(followUp.explanation?.eventId);
  });
});

/** Counts one process's match commits (the transactions that store articles). */
function countCommits(deps: TestDeps): { deps: TestDeps; commits: () => number } {
  let commits = 0;
  return {
    commits: () => commits,
    deps: aroundCommits(deps, (input, commit) => {
      commits += 1;
      return commit(input);
    }),
  };
}

/** `count` short on-theme reports of one story, an hour apart, each its own outlet. */
function reports(count: number, text = DAM): Article[] {
  return Array.from({ length: count }, (_, index) =>
    testArticle(
      {
        title: `Tabqa dam update ${index + 1} from Islamic State front near Raqqa`,
        link: `https://outlet-${index}.example/dam-${index}`,
        date: new Date(Date.UTC(2026, 2, 2, 0, index)).toISOString(),
        contentHtml: `${text} Update ${index + 1}.`,
      },
      { sourceId: `outlet-${index % 7}`, sourceTitle: `outlet-${index % 7}` },
    ),
  );
}

describe("matching a run of articles", () => {
  it("stores a feed's run in one transaction, with the decisions one at a time makes", async () => {
    const table = await freshTable();
    const counted = countCommits(createTestDeps(table.store));
    const articles = fixtureStream("stream.jsonl");
    const memory = createThemeMatcher(counted.deps.config.themes[0] as ThemeDefinition, counted.deps.config.model);
    const expected = articles.map((article) => matchInMemory(memory, toMatchInput(article)).explanation);

    const results = await matchArticles(counted.deps, articles);
    expect(counted.commits()).toBe(1);
    expect(results.map((result) => result.stored)).toEqual(articles.map(() => "created"));
    for (const [index, article] of articles.entries()) {
      const stored = await table.store.articles.get(article.id);
      expect(stored?.explanation?.decision, article.title).toBe(expected[index]?.decision);
      expect(stored?.eventId ?? null).toBe(expected[index]?.decision === "off-theme" ? null : expected[index]?.eventId);
    }
    // One change-log item per article that changed an event, numbered on from the sequence.
    const changes = await table.store.changes.changeRecordsSince("isis-syria", 0, 100);
    const changing = expected.filter((explanation) => explanation.decision !== "off-theme");
    expect(changes.map((change) => change.seq)).toEqual(changing.map((_, index) => index + 1));
    expect(await table.store.changes.sequence("isis-syria")).toBe(changing.length);
    // Each event is stored once, at the version its changes count to.
    for (const event of await eventsOf(table)) {
      const own = changes.filter((change) => change.eventId === event.id);
      expect(event.version).toBe(own.length);
      expect(event.seq).toBe(own.at(-1)?.seq);
      expect(event.articleCount).toBe(own.at(-1)?.after.articleCount);
    }
  });

  it("commits a long run in several transactions, in order, each article once", async () => {
    const table = await freshTable();
    const counted = countCommits(createTestDeps(table.store));
    const articles = reports(60);
    const results = await matchArticles(counted.deps, articles);
    expect(results.every((result) => result.stored === "created")).toBe(true);
    expect(counted.commits()).toBe(3);
    const [event] = await eventsOf(table);
    expect(event).toMatchObject({ articleCount: 60, version: 60, seq: 60 });
    const changes = await table.store.changes.changeRecordsSince("isis-syria", 0, 100);
    expect(changes.map((change) => change.articleId)).toEqual(articles.map((article) => article.id));
    expect(changes.map((change) => change.after.articleCount)).toEqual(articles.map((_, index) => index + 1));
  });

  it("keeps a commit's bytes inside a transaction's bound", async () => {
    const table = await freshTable();
    const counted = countCommits(createTestDeps(table.store));
    // Twelve reports of 250 KB each, longer than normalising keeps, so the bytes bind before
    // the count does: 3 MB does not fit one commit.
    const long = `${DAM} ${"Witnesses described the fighting. ".repeat(7_500)}`;
    const articles = reports(12).map((article) => ({ ...article, text: long }));
    expect(Buffer.byteLength(long)).toBeGreaterThan(250_000);
    const results = await matchArticles(counted.deps, articles);
    expect(results.every((result) => result.stored === "created")).toBe(true);
    expect(counted.commits()).toBe(2);
  });

  it("writes an off-theme report that a later report of the same run claims already joined", async () => {
    const table = await freshTable();
    const counted = countCommits(createTestDeps(table.store));
    const { early, claim } = concertAttack();
    const [first, second] = await matchArticles(counted.deps, [early, claim]);
    expect(counted.commits()).toBe(1);
    expect(second).toMatchObject({ stored: "created", explanation: { decision: "new-event" } });
    const eventId = second?.explanation?.eventId;
    // The first report's outcome is what was stored: joined by the claim.
    expect(first).toMatchObject({ stored: "created", explanation: { reconsidered: true, eventId } });
    expect(await table.store.articles.get(early.id)).toMatchObject({
      onTheme: true,
      eventId,
      explanation: { reconsidered: true },
    });
    expect((await table.store.articles.listByEvent(eventId ?? "", { limit: 10 })).items).toHaveLength(2);
    expect((await table.store.articles.listOffTheme("isis-syria", { limit: 10 })).items).toHaveLength(0);
    const [change] = await table.store.changes.changeRecordsSince("isis-syria", 0, 10);
    expect(change).toMatchObject({ articleId: claim.id, claimedArticleIds: [early.id], after: { articleCount: 2 } });
  });

  it("leaves out an article another process stored meanwhile, and stores the rest of the run", async () => {
    const table = await freshTable();
    const [a, b] = twoProcesses(table);
    const [first, second, third] = reports(3);
    if (first === undefined || second === undefined || third === undefined) throw new Error("three reports");
    await matchArticle(a, second);
    const counted = countCommits(b);
    const results = await matchArticles(counted.deps, [first, second, third]);
    expect(results.map((result) => result.stored)).toEqual(["created", "exists", "created"]);
    const [event] = await eventsOf(table);
    expect(event).toMatchObject({ articleCount: 3 });
    expect((await table.store.articles.listByEvent(event?.id ?? "", { limit: 10 })).items).toHaveLength(3);
    // An article given twice in a run is stored once; the repeat reads as existing.
    const again = await matchArticles(b, [third, third]);
    expect(again.map((result) => result.stored)).toEqual(["exists", "exists"]);
    const fourth = reports(4)[3] as Article;
    expect((await matchArticles(b, [fourth, fourth])).map((result) => result.stored)).toEqual(["created", "exists"]);
  });

  it("takes a run back out of the cache when another process changed the story first, and decides it again", async () => {
    const table = await freshTable();
    const [a, b] = twoProcesses(table);
    // Thirty reports: two commits, the second decided on top of the first while it is written.
    const run = reports(30);
    const held = holdCommits(b);
    // B decides its run on a theme with no events (it opens the story) and waits.
    const fromB = matchArticles(held.deps, run);
    await held.waiting;
    expect(held.seen[0]?.articles).toHaveLength(25);
    // A opens the same story meanwhile.
    const opening = await matchArticle(a, damReport("opening", "outlet-a", DAM));
    held.release();
    const results = await fromB;
    expect(results.map((result) => result.explanation?.eventId)).toEqual(run.map(() => opening.explanation?.eventId));
    expect(b.logs.some((entry) => entry.message === "match retried on fresher state")).toBe(true);
    const events = await eventsOf(table);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ articleCount: 31, version: 31 });
    // What B took back out left its cache right: its next article commits at the first try.
    const retries = b.logs.length;
    await matchArticle(b, damReport("later", "outlet-z", DAM_REPORTS.d));
    expect(b.logs.slice(retries).filter((entry) => entry.message === "match retried on fresher state")).toHaveLength(0);
    expect((await eventsOf(table))[0]).toMatchObject({ articleCount: 32, version: 32 });
  });

  it("leaves out a report of the run that is already stored off-theme, even when another report of the run claims it", async () => {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const { early, claim } = concertAttack();
    expect((await matchArticle(deps, early)).explanation?.decision).toBe("off-theme");
    // A second feed carries the same page: the run holds the claim and the stored report again.
    const counted = countCommits(deps);
    const results = await matchArticles(counted.deps, [claim, early]);
    expect(results.map((result) => result.stored)).toEqual(["created", "exists"]);
    expect(counted.commits()).toBe(1);
    expect(await table.store.articles.get(early.id)).toMatchObject({ onTheme: true, eventId: results[0]?.explanation?.eventId });
  });

  it("starts the cache again from the table when a commit's answer is lost", async () => {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    let lose = true;
    const lossy = aroundCommits(deps, async (input, commit) => {
      const outcome = await commit(input);
      if (!lose) return outcome;
      lose = false;
      // Stored, but the answer never arrives.
      throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
    });
    const run = reports(3);
    await expect(matchArticles(lossy, run)).rejects.toThrow("socket hang up");
    expect((await eventsOf(table))[0]).toMatchObject({ articleCount: 3, version: 3 });
    // The same process carries on from what the table holds, without a stale retry.
    const next = reports(4)[3] as Article;
    expect(await matchArticle(deps, next)).toMatchObject({ stored: "created" });
    expect(deps.logs.filter((entry) => entry.message === "match retried on fresher state")).toHaveLength(0);
    expect((await eventsOf(table))[0]).toMatchObject({ articleCount: 4, version: 4 });
    // Those already stored read as existing, not as new.
    expect((await matchArticles(deps, run)).map((result) => result.stored)).toEqual(["exists", "exists", "exists"]);
  });
});
