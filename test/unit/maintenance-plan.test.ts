import {
  applyDecision,
  createThemeMatcher,
  DEFAULT_THEMES,
  describeErrors,
  type EventWithArticles,
  evaluateStream,
  eventIdFor,
  formatErrors,
  type LabelledArticle,
  type MaintenanceDecision,
  type MaintenancePlanner,
  type MatchInput,
  planMaintenance,
  rebuildEvent,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { AID_WORKERS, DAM_TAKEN, MARKET_BOMBING } from "../fixtures/maintenance-stories";
import { joinsEverything } from "../support/lenient-model";

const theme = DEFAULT_THEMES[0] as ThemeDefinition;
const NOW = "2026-05-17T23:59:59.999Z";

/**
 * A matcher holding each group as one event (built from its articles, no decisions), with a
 * story of another kind in the index so that term rarities mean something.
 */
function build(groups: readonly (readonly MatchInput[])[], background: readonly MatchInput[] = DAM_TAKEN) {
  const matcher = createThemeMatcher(theme);
  const held: EventWithArticles[] = [];
  for (const group of [...groups, background]) {
    const id = eventIdFor(matcher.themeId, (group[0] as MatchInput).id);
    const articles = group.map((input) => ({ input, copyOf: null }));
    const event = rebuildEvent(matcher, id, articles, undefined);
    matcher.index.upsert(event);
    if (group !== background) held.push({ event, articles });
  }
  return { matcher, held, idOf: (articleId: string) => eventIdFor(matcher.themeId, articleId) };
}

describe("planning maintenance: merges", () => {
  it("merges two events that are one story told over days into the one first seen", () => {
    const { matcher, held, idOf } = build([MARKET_BOMBING.later, MARKET_BOMBING.first]);
    const decisions = planMaintenance(matcher, held, NOW);
    expect(decisions.map((decision) => [decision.kind, decision.into, decision.from])).toEqual([
      ["merge", idOf("mb1"), idOf("mb3")],
    ]);
    const { explanation } = decisions[0] as MaintenanceDecision;
    expect(explanation.signals).toMatchObject({ reportsOfSecond: 2, joinedIntoFirst: 2, reportsOfFirst: 2, joinedIntoSecond: 2 });
    expect(explanation.signals.gapDays).toBe(2);
    expect(explanation.summary).toMatch(/report one happening/);
    expect(explanation.summary).toMatch(/titles share the action "(car|bomb|market)"/);
  });

  it("merges a first report with the event its story opened alongside it, though their headlines differ", () => {
    const { matcher, held, idOf } = build([MARKET_BOMBING.first, [MARKET_BOMBING.firstWord]]);
    const decisions = planMaintenance(matcher, held, NOW);
    expect(decisions.map((decision) => [decision.kind, decision.into, decision.from])).toEqual([
      ["merge", idOf("mb0"), idOf("mb1")],
    ]);
    expect(decisions[0]?.explanation.summary).toMatch(/run on from day to day/);
    // The same report days later, with a headline that shares nothing, is not taken for the same happening.
    const late = { ...MARKET_BOMBING.firstWord, publishedAt: "2026-04-10T08:00:00.000Z" };
    const apart = build([MARKET_BOMBING.first, [late]]);
    expect(planMaintenance(apart.matcher, apart.held, NOW)).toEqual([]);
  });

  it("does not merge two happenings that share their town, their group and a spokesman", () => {
    const { matcher, held } = build([AID_WORKERS.killed, AID_WORKERS.freed]);
    expect(planMaintenance(matcher, held, NOW)).toEqual([]);
  });

  it("judges only the events it is given: a story's other half outside the window stays as it is", () => {
    const { matcher, held } = build([MARKET_BOMBING.first, MARKET_BOMBING.later]);
    expect(planMaintenance(matcher, held.slice(1), NOW)).toEqual([]);
  });
});

describe("planning maintenance: splits", () => {
  it("splits an event holding two happenings in turn; the part with the central article keeps the id", () => {
    const { matcher, held, idOf } = build([[...AID_WORKERS.killed, ...AID_WORKERS.freed]]);
    const event = (held[0] as EventWithArticles).event;
    expect(AID_WORKERS.killed.map((input) => input.id)).toContain(event.centralArticleId);
    const decisions = planMaintenance(matcher, held, NOW);
    expect(decisions).toHaveLength(1);
    const split = decisions[0] as Extract<MaintenanceDecision, { kind: "split" }>;
    expect(split).toMatchObject({ kind: "split", from: idOf("aw1"), into: idOf("aw4"), articleIds: ["aw4", "aw5", "aw6"] });
    expect(split.explanation.signals).toMatchObject({ reportsOfSecond: 3, reportsOfFirst: 3 });
    expect(split.explanation.signals.gapDays).toBe(4);
    expect(split.explanation.signals.crossingShareFirst).toBeLessThan(0.5);
    expect(split.explanation.summary).toMatch(/held two happenings/);
    expect(split.explanation.summary).toMatch(/"behead" \(3 of 3\)[^;]* in titles of the staying part/);
    expect(split.explanation.summary).toMatch(/"freed" \(2 of 3\)[^;]* in titles of the leaving part/);
    // It applies: both parts rebuilt, the old id kept by the first happening.
    const applied = applyDecision(matcher, split, new Map(held.map((entry) => [entry.event.id, entry])));
    expect(applied.events.map((part) => [part.id, part.articleCount])).toEqual([
      [idOf("aw1"), 3],
      [idOf("aw4"), 3],
    ]);
  });

  it("does not split off a lone odd report, nor an event with quiet days whose titles tell one act", () => {
    const { matcher, held } = build(
      [[...AID_WORKERS.killed, AID_WORKERS.freed[0] as MatchInput], DAM_TAKEN],
      MARKET_BOMBING.first,
    );
    expect(planMaintenance(matcher, held, NOW)).toEqual([]);
  });

  it("leaves a single coherent story alone, however many days it runs", () => {
    const { matcher, held } = build([[...MARKET_BOMBING.first, ...MARKET_BOMBING.later]]);
    expect(planMaintenance(matcher, held, NOW)).toEqual([]);
  });

  it("does not split reports without real dates (no telling two happenings in turn from one)", () => {
    const undated = [...AID_WORKERS.killed, ...AID_WORKERS.freed].map((input) => ({ ...input, dated: false }));
    const { matcher, held } = build([undated]);
    expect(planMaintenance(matcher, held, NOW).filter((decision) => decision.kind === "split")).toEqual([]);
  });

  it("is deterministic: the same decisions, whatever order the events come in", () => {
    const groups = [MARKET_BOMBING.later, [...AID_WORKERS.killed, ...AID_WORKERS.freed], MARKET_BOMBING.first];
    const one = build(groups);
    const first = planMaintenance(one.matcher, one.held, NOW);
    expect(first.map((decision) => decision.kind)).toEqual(["merge", "split"]);
    expect(planMaintenance(one.matcher, [...one.held].reverse(), NOW)).toEqual(first);
    // Built in another order, the events' centres (and so their titles) may differ; the decisions do not.
    const other = build([...groups].reverse());
    const shape = (decisions: MaintenanceDecision[]) =>
      decisions.map((decision) => [
        decision.kind,
        decision.from,
        decision.into,
        "articleIds" in decision ? decision.articleIds : [],
      ]);
    expect(shape(planMaintenance(other.matcher, other.held, NOW))).toEqual(shape(first));
  });
});

/** The two happenings as a labelled stream, each its own gold event. */
function labelled(): LabelledArticle[] {
  const as = (inputs: readonly MatchInput[], event: string) => inputs.map((input) => ({ input, event, onTheme: true }));
  return [...as(AID_WORKERS.killed, "aid-worker-killed"), ...as(AID_WORKERS.freed, "doctor-freed")].sort(
    (a, b) => a.input.publishedAt.localeCompare(b.input.publishedAt) || a.input.id.localeCompare(b.input.id),
  );
}

describe("evaluating with the maintenance pass", () => {
  it("splits, after the day, an event the stream merged, and scores the moved articles in their new event", () => {
    const stream = labelled();
    // The stream matched by a model that joins every report to its best event: the happenings merge.
    const model = joinsEverything();
    const options = { scoreTheme: true, clock: () => 0 };
    const without = evaluateStream(createThemeMatcher(theme, model), [], stream, options);
    expect(without.report.bcubed?.p).toBeLessThan(1);
    expect(without.report.maintenance).toBeUndefined();

    const withPass = evaluateStream(createThemeMatcher(theme, model), [], stream, { ...options, maintenance: planMaintenance });
    expect(withPass.report.maintenance).toEqual({ merges: 0, splits: 1 });
    const [entry] = withPass.maintenance;
    // The freed doctor's reports leave, at the end of a day they came in, the event the stream put them in.
    const freed = AID_WORKERS.freed.map((input) => input.id);
    const moved = entry?.applied.moved.map((move) => move.articleId) ?? [];
    expect(moved.length).toBeGreaterThanOrEqual(2);
    expect(freed).toEqual(expect.arrayContaining(moved));
    expect(["2026-05-16T23:59:59.999Z", "2026-05-17T23:59:59.999Z"]).toContain(entry?.at);
    const byId = new Map(stream.map((article, index) => [article.input.id, withPass.explanations[index]]));
    for (const move of entry?.applied.moved ?? []) expect(byId.get(move.articleId)?.eventId).toBe(move.to);
    for (const id of freed) expect(byId.get(id)?.eventId).toBe(entry?.applied.moved[0]?.to);
    expect(withPass.report.bcubed).toEqual({ p: 1, r: 1, f1: 1 });
    expect(withPass.report.events).toBe(2);

    const text = formatErrors(describeErrors(stream, withPass.explanations), withPass.maintenance);
    expect(text).toContain("## maintenance: 1 decisions");
    expect(text).toContain(`${entry?.at} split ${moved.length} articles of ${entry?.applied.decision.from} into`);
    expect(text).toContain(`moved: ${moved.join(" ")}`);
  });

  it("runs a pass at the end of each stream day over the events of the week before, none from its future", () => {
    // Imported events dated after the stream (the aid workers, in May) are not recent in April.
    const existing = [...AID_WORKERS.killed, ...DAM_TAKEN].map((input) => ({
      input,
      event: input.id.slice(0, 2),
      onTheme: true,
    }));
    const stream = [...MARKET_BOMBING.first, ...MARKET_BOMBING.later].map((input) => ({ input, event: "market", onTheme: true }));
    const passes: { now: string; recent: string[] }[] = [];
    const recording: MaintenancePlanner = (_matcher, recent, now) => {
      passes.push({ now, recent: recent.flatMap((entry) => entry.articles.map((article) => article.input.id)).sort() });
      return [];
    };
    evaluateStream(createThemeMatcher(theme), existing, stream, { scoreTheme: true, clock: () => 0, maintenance: recording });
    expect(passes.map((pass) => pass.now)).toEqual([
      "2026-04-06T23:59:59.999Z",
      "2026-04-08T23:59:59.999Z",
      "2026-04-09T23:59:59.999Z",
    ]);
    for (const pass of passes) expect(pass.recent).not.toContain("aw1");
    // The dam event (March) is a month old: not recent either.
    expect(passes.at(-1)?.recent).toEqual(["mb1", "mb2", "mb3", "mb4"]);
  });

  it("counts an article that attached to an existing event merged into another as attached to its successor", () => {
    const existing = MARKET_BOMBING.first.map((input) => ({ input, event: "market-bombing", onTheme: true }));
    const stream = [
      ...DAM_TAKEN.map((input) => ({ input, event: "dam-taken", onTheme: true })),
      ...MARKET_BOMBING.later.map((input) => ({ input, event: "market-bombing", onTheme: true })),
    ];
    // A planner that, once the imported event is recent, folds it into the other event there is:
    // attach accuracy must follow the imported event to its successor.
    let folded = false;
    const foldImported: MaintenancePlanner = (matcher, recent) => {
      const imported = recent.find((entry) => entry.articles.some((article) => article.input.id === "mb1"));
      const other = [...matcher.index.events.values()].find((event) => event.id !== imported?.event.id);
      if (folded || imported === undefined || other === undefined) return [];
      folded = true;
      return [{ kind: "merge", into: other.id, from: imported.event.id, explanation: { summary: "test", signals: {} } }];
    };
    const { report, maintenance } = evaluateStream(createThemeMatcher(theme), existing, stream, {
      scoreTheme: true,
      clock: () => 0,
      maintenance: foldImported,
    });
    expect(report.maintenance).toEqual({ merges: 1, splits: 0 });
    expect(maintenance[0]?.applied.moved.map((move) => move.articleId).sort()).toEqual(["mb1", "mb2", "mb3"]);
    expect(report.attach_accuracy).toBe(1);
  });
});
