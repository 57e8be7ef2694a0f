import {
  applyDecision,
  applyInMemory,
  contentHashOf,
  createThemeMatcher,
  DEFAULT_THEMES,
  type EventWithArticles,
  eventIdFor,
  type MatchInput,
  matchInMemory,
  rebuildEvent,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const theme = DEFAULT_THEMES[0] as ThemeDefinition;

function article(id: string, publishedAt: string, title: string, text: string, sourceId = `${id}.example`): MatchInput {
  return { id, sourceId, title, text, summary: text, publishedAt, dated: true, contentHash: contentHashOf(title, text) };
}

const DAM = [
  article(
    "d1",
    "2026-03-02T10:00:00Z",
    "Fighters seize dam on Euphrates",
    "Syrian Democratic Forces captured the Tabqa dam on the Euphrates after Islamic State militants withdrew, commanders in Raqqa said.",
  ),
  article(
    "d2",
    "2026-03-02T14:00:00Z",
    "SDF holds Tabqa dam after Islamic State retreat",
    "The Syrian Democratic Forces held the Tabqa dam on the Euphrates on Monday after Islamic State fighters pulled back towards Raqqa.",
  ),
  article(
    "d3",
    "2026-03-03T09:00:00Z",
    "Engineers inspect Tabqa dam",
    "Engineers inspected the Tabqa dam on the Euphrates a day after the Syrian Democratic Forces took it from Islamic State militants near Raqqa.",
  ),
];
const CAMP = [
  article(
    "c1",
    "2026-03-02T11:00:00Z",
    "Families leave al-Hol camp",
    "Hundreds of Syrian families left the al-Hol camp in Hasakah province, where relatives of Islamic State fighters are held.",
  ),
  article(
    "c2",
    "2026-03-03T11:00:00Z",
    "More families leave al-Hol",
    "A second convoy of families left al-Hol camp in Hasakah on Tuesday; the camp holds relatives of Islamic State fighters.",
  ),
];

/** Each article opened into its own event or attached to `eventOf(id)`'s, without the decision. */
function build(groups: MatchInput[][]) {
  const matcher = createThemeMatcher(theme);
  const held = new Map<string, EventWithArticles>();
  for (const group of groups) {
    const id = eventIdFor(matcher.themeId, (group[0] as MatchInput).id);
    const articles = group.map((input) => ({ input, copyOf: null }));
    const event = rebuildEvent(matcher, id, articles, undefined);
    matcher.index.upsert(event);
    held.set(id, { event, articles });
  }
  return { matcher, held };
}

describe("rebuilding an event from its articles", () => {
  it("gives the state the matcher grew one article at a time, with the version moved on", () => {
    const matcher = createThemeMatcher(theme);
    let grown = matchInMemory(matcher, DAM[0] as MatchInput).event;
    for (const input of DAM.slice(1)) grown = matchInMemory(matcher, input).event;
    expect(grown?.articleCount).toBe(3);
    const event = grown as NonNullable<typeof grown>;
    // Given out of order, the articles are replayed in publication order.
    const rebuilt = rebuildEvent(
      matcher,
      event.id,
      [...DAM].reverse().map((input) => ({ input, copyOf: null })),
      event,
    );
    expect(rebuilt.version).toBe(event.version + 1);
    expect(rebuilt.members.map((member) => member.articleId)).toEqual(["d1", "d2", "d3"]);
    // The centre is judged again on today's term rarities, so it may differ; it is one of the articles, titled by it.
    const central = DAM.find((input) => input.id === rebuilt.centralArticleId);
    expect(rebuilt.title).toBe(central?.title);
    expect(rebuilt.firstSeen).toBe(event.firstSeen);
    expect(rebuilt.lastSeen).toBe(event.lastSeen);
    expect(rebuilt.outlets.map((outlet) => outlet.key)).toEqual(event.outlets.map((outlet) => outlet.key));
    expect([...rebuilt.titleTerms.keys()].sort()).toEqual([...event.titleTerms.keys()].sort());
  });

  it("keeps a copy a copy only while its original is in the event", () => {
    const matcher = createThemeMatcher(theme);
    const copy = { ...(DAM[1] as MatchInput), id: "d2-copy", sourceId: "other.example", publishedAt: "2026-03-02T15:00:00Z" };
    const withOriginal = rebuildEvent(
      matcher,
      "e",
      [...DAM.map((input) => ({ input, copyOf: null })), { input: copy, copyOf: "d2" }],
      undefined,
    );
    expect(withOriginal.articleCount).toBe(4);
    expect(withOriginal.originalCount).toBe(3);
    const without = rebuildEvent(
      matcher,
      "e",
      [
        { input: DAM[0] as MatchInput, copyOf: null },
        { input: copy, copyOf: "d2" },
      ],
      undefined,
    );
    expect(without.originalCount).toBe(2);
  });

  it("refuses an event with no articles", () => {
    expect(() => rebuildEvent(createThemeMatcher(theme), "e", [], undefined)).toThrow(/no articles/);
  });
});

describe("applying a maintenance decision", () => {
  it("folds a merged event into its successor: one event with every article, the other retired", () => {
    const first = DAM.slice(0, 2);
    const second = DAM.slice(2);
    const { matcher, held } = build([first, second]);
    const into = eventIdFor(matcher.themeId, "d1");
    const from = eventIdFor(matcher.themeId, "d3");
    const applied = applyDecision(
      matcher,
      { kind: "merge", into, from, explanation: { summary: "one happening", signals: {} } },
      held,
    );
    expect(applied.events).toHaveLength(1);
    expect(applied.events[0]?.id).toBe(into);
    expect(applied.events[0]?.articleCount).toBe(3);
    expect(applied.events[0]?.version).toBe((held.get(into)?.event.version ?? 0) + 1);
    expect(applied.retired).toEqual([{ id: from, mergedInto: into }]);
    expect(applied.moved).toEqual([{ articleId: "d3", from, to: into }]);
    applyInMemory(matcher, applied);
    expect(matcher.index.events.has(from)).toBe(false);
    expect(matcher.index.events.get(into)?.articleCount).toBe(3);
  });

  it("splits off the part without the central article under a new id, the rest keeping the event's id", () => {
    const { matcher, held } = build([[...DAM, ...CAMP]]);
    const id = eventIdFor(matcher.themeId, "d1");
    const central = held.get(id)?.event.centralArticleId;
    expect(DAM.map((input) => input.id)).toContain(central);
    const into = eventIdFor(matcher.themeId, "c1");
    const applied = applyDecision(
      matcher,
      { kind: "split", from: id, into, articleIds: ["c1", "c2"], explanation: { summary: "two happenings", signals: {} } },
      held,
    );
    expect(applied.events.map((event) => [event.id, event.articleCount])).toEqual([
      [id, 3],
      [into, 2],
    ]);
    expect(applied.events[1]?.version).toBe(1);
    expect(applied.retired).toEqual([]);
    expect(applied.moved.map((move) => move.articleId)).toEqual(["c1", "c2"]);
    expect(() =>
      applyDecision(
        matcher,
        { kind: "split", from: id, into, articleIds: [central as string], explanation: { summary: "", signals: {} } },
        held,
      ),
    ).toThrow(/central article/);
    expect(() =>
      applyDecision(matcher, { kind: "merge", into: id, from: "missing", explanation: { summary: "", signals: {} } }, held),
    ).toThrow(/was not read/);
  });
});
