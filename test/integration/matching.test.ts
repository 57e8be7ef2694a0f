import { type Article, createThemeMatcher, type EventState, matchInMemory, type ThemeDefinition } from "@eventwire/core";
import { importEvents, matchArticle, toMatchInput } from "@eventwire/pipeline";
import { afterAll, describe, expect, it } from "vitest";
import { readImportGroups } from "../../functions/eval-files";
import { fixtureStream, testArticle } from "../support/articles";
import { createTestDeps, type TestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

const tables: TestStore[] = [];
afterAll(async () => {
  for (const table of tables) await table.drop();
});

async function freshTable(): Promise<TestStore> {
  const table = await createTestStore();
  tables.push(table);
  return table;
}

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

/** Two processes' view of one table: separate matcher caches, as two Lambda containers have. */
function twoProcesses(table: TestStore): [TestDeps, TestDeps] {
  return [createTestDeps(table.store), createTestDeps(table.store)];
}

/** Holds one process's match commits until `release` is called, to force an interleaving. */
function holdCommits(deps: TestDeps): {
  deps: TestDeps;
  release: () => void;
  waiting: Promise<void>;
  seen: Parameters<TestDeps["store"]["events"]["commitMatch"]>[0][];
} {
  const seen: Parameters<TestDeps["store"]["events"]["commitMatch"]>[0][] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = () => {};
  const waiting = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const events = deps.store.events;
  return {
    release,
    waiting,
    seen,
    deps: {
      ...deps,
      store: {
        ...deps.store,
        events: {
          ...events,
          commitMatch: async (input: Parameters<typeof events.commitMatch>[0]) => {
            seen.push(input);
            reached();
            await gate;
            return events.commitMatch(input);
          },
        },
      },
    },
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
    expect(events[0]).toMatchObject({ articleCount: 2, sourceIds: ["outlet-a", "outlet-b"] });
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
    expect([...(events[0]?.sourceIds ?? [])].sort()).toEqual(["outlet-a", "outlet-b", "outlet-c", "outlet-d"]);
  });

  it("stores the same decisions as the in-memory matcher the evaluation uses", async () => {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const articles = fixtureStream("stream.jsonl");
    const memory = createThemeMatcher(deps.config.theme as ThemeDefinition, deps.config.model);
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
    expect(held.seen[0]?.event).toBeNull();
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
