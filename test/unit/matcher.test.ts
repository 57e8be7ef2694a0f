import {
  addPending,
  byStreamOrder,
  computeSignals,
  contentHashOf,
  createThemeMatcher,
  DEFAULT_THEMES,
  EVENT_LIMITS,
  type EventState,
  evaluateStream,
  importIntoEvent,
  type MatchExplanation,
  type MatcherModel,
  type MatchInput,
  matchInMemory,
  parseMatcherModel,
  prepareArticle,
  preparePending,
  SHIPPED_MODEL,
  type ThemeDefinition,
  termWord,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { readLabelledArticles } from "../../functions/eval-files";

const theme = DEFAULT_THEMES[0] as ThemeDefinition;
const fixtures = (name: string) =>
  readLabelledArticles(new URL(`../fixtures/articles/${name}`, import.meta.url).pathname, "jsonl", theme.id);

function article(id: string, publishedAt: string, title: string, text: string, sourceId = `${id}-source`): MatchInput {
  return { id, sourceId, title, text, summary: text, publishedAt, dated: true, contentHash: contentHashOf(title, text) };
}

/** The fixture stream matched with the shipped model, after importing the existing event. */
function runFixtures(model: MatcherModel = SHIPPED_MODEL) {
  const matcher = createThemeMatcher(theme, model);
  const existing = fixtures("existing.jsonl");
  const stream = fixtures("stream.jsonl").sort(byStreamOrder);
  const result = evaluateStream(matcher, existing, stream, { scoreTheme: true, clock: () => 0 });
  const byId = new Map(stream.map((entry, index) => [entry.input.id, result.explanations[index] as MatchExplanation]));
  return { matcher, ...result, byId };
}

describe("signals", () => {
  it("are near 1 for an article against the event it opened, and the time gap grows in log days", () => {
    const matcher = createThemeMatcher(theme);
    const first = article(
      "a",
      "2026-03-02T10:00:00Z",
      "Fighters seize dam on Euphrates",
      "Syrian Democratic Forces captured the Tabqa dam on the Euphrates after Islamic State militants withdrew, commanders in Raqqa said.",
    );
    const event = importIntoEvent(matcher, first, null);
    const same = computeSignals(prepareArticle(matcher, first).vectors, event, matcher.index);
    expect(same.titleCos).toBeCloseTo(1, 6);
    expect(same.bodyCos).toBeCloseTo(1, 6);
    expect(same.entityPlace).toBeCloseTo(1, 6);
    expect(same.timeGap).toBe(0);
    const later = computeSignals(
      prepareArticle(matcher, { ...first, publishedAt: "2026-03-05T10:00:00Z" }).vectors,
      event,
      matcher.index,
    );
    expect(later.timeGap).toBeCloseTo(Math.log1p(3), 6);
    const unrelated = computeSignals(
      prepareArticle(matcher, article("b", "2026-03-02T10:00:00Z", "Cup final", "The home side won the cup final on penalties."))
        .vectors,
      event,
      matcher.index,
    );
    expect(unrelated.titleCos).toBe(0);
    expect(unrelated.bodyCos).toBe(0);
    expect(unrelated.entityRare).toBe(0);
    // A headline that only the event's body shares words with.
    const headline = computeSignals(
      prepareArticle(matcher, article("c", "2026-03-02T12:00:00Z", "Commanders in Raqqa describe militants' withdrawal", ""))
        .vectors,
      event,
      matcher.index,
    );
    expect(headline.titleCos).toBe(0);
    expect(headline.titleBodyCos).toBeGreaterThan(0.2);
  });

  it("weigh a shared entity by how rare it is among events", () => {
    const matcher = createThemeMatcher(theme);
    // Many events name Syria; one names the Tabqa dam's town.
    for (let index = 0; index < 20; index += 1) {
      importIntoEvent(
        matcher,
        article(
          `s${index}`,
          "2026-03-01T10:00:00Z",
          `Report ${index} from Syria`,
          `Officials in Syria spoke about matter ${index}.`,
        ),
        null,
      );
    }
    const dam = importIntoEvent(
      matcher,
      article("d", "2026-03-02T10:00:00Z", "Fighters near Manbij", "Fighters advanced near Manbij in Syria, commanders said."),
      null,
    );
    const signals = (title: string, body: string) =>
      computeSignals(prepareArticle(matcher, article("q", "2026-03-02T12:00:00Z", title, body)).vectors, dam, matcher.index);
    const common = signals("Talks", "Delegates from Syria met on Tuesday.");
    const rare = signals("Talks", "Delegates from Manbij met on Tuesday.");
    expect(common.entityRare).toBeLessThan(0.15);
    expect(rare.entityRare).toBeGreaterThan(common.entityRare * 2);
  });
});

describe("decisions on the fixture stream", () => {
  it("opens, attaches, recognises the copy, keeps off-theme news out, and follows the existing story", () => {
    const { byId, report } = runFixtures();
    expect(byId.get("t-01")?.decision).toBe("new-event");
    const dam = byId.get("t-01")?.eventId;
    expect(byId.get("t-02")).toMatchObject({ decision: "attached", eventId: dam });
    expect(byId.get("t-03")).toMatchObject({ decision: "copy", eventId: dam, copyOf: "t-02" });
    expect(byId.get("t-04")).toMatchObject({ decision: "off-theme", onTheme: false, eventId: null });
    expect(byId.get("t-06")).toMatchObject({ decision: "attached", eventId: dam });
    expect(byId.get("t-05")?.decision).toBe("attached");
    expect(byId.get("t-07")).toMatchObject({ decision: "attached", eventId: byId.get("t-05")?.eventId });
    expect(byId.get("t-08")?.decision).toBe("off-theme");
    expect(report).toMatchObject({ bcubed: { f1: 1 }, pairwise: { f1: 1 }, attach_accuracy: 1, theme: { f1: 1 } });
  });

  it("explains a decision: theme evidence, probability, runner-up", () => {
    const explanation = runFixtures().byId.get("t-07") as MatchExplanation;
    expect(explanation.theme?.onTheme).toBe(true);
    expect(explanation.theme?.evidence.length).toBeGreaterThan(0);
    // The fixtures are summary-length: the summary profile judges them.
    expect(explanation.probability).toBeGreaterThan(SHIPPED_MODEL.dated.summary.attachThreshold);
    expect(explanation.signals?.titleCos).toBeGreaterThan(0);
    // The other story of the fixtures is the runner-up, far behind.
    expect(explanation.runnerUp?.probability ?? 0).toBeLessThan(explanation.probability as number);
  });

  it("counts a copy as an article but not as a new source", () => {
    const { matcher, byId } = runFixtures();
    const dam = matcher.index.events.get(byId.get("t-01")?.eventId as string);
    expect(dam).toMatchObject({ articleCount: 4, originalCount: 3 });
    expect(dam?.outlets.map((outlet) => outlet.key).sort()).toEqual(["northdesk", "wireservice"]);
    expect(dam?.members.find((member) => member.articleId === "t-03")?.copyOf).toBe("t-02");
  });
});

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("outlets: whose report an article is", () => {
  const AMBUSH =
    "Islamic State militants ambushed an army convoy on the desert road east of Palmyra on Monday night, killing eleven soldiers and wounding seven, a military source said. The attackers fired rockets at the lead truck before fleeing into the hills north of the road.";
  const outlet = (input: MatchInput, title: string): MatchInput => ({ ...input, outlet: title });
  const wire = outlet(
    article("wire", "2026-03-02T08:00:00Z", "Militants ambush army convoy east of Palmyra", AMBUSH, "wire-feed"),
    "Northern Wire",
  );
  // Another outlet's copy of the wire report, crediting it.
  const copyText = `${AMBUSH} (Northern Wire)`;
  const copy = outlet(
    article("copy", "2026-03-02T08:30:00Z", "Eleven soldiers killed in Palmyra road ambush", copyText, "river-feed"),
    "River Post",
  );
  const plain = outlet(
    article(
      "plain",
      "2026-03-02T09:00:00Z",
      "Islamic State ambush kills eleven soldiers near Palmyra",
      "Eleven Syrian soldiers were killed when Islamic State fighters ambushed their convoy near Palmyra on Monday, the army said, adding that seven more were wounded in the rocket attack on the desert road.",
      "plain-feed",
    ),
    "Plain Desk - Middle East",
  );
  // The copying outlet's own report of the same ambush, in its own words.
  const riverOwn = outlet(
    article(
      "river-own",
      "2026-03-02T10:00:00Z",
      "Palmyra ambush: army sends reinforcements after eleven soldiers die",
      "The army sent reinforcements to the desert road east of Palmyra after an Islamic State ambush on a convoy killed eleven soldiers on Monday night; the attackers fired rockets at the lead truck, a military source said.",
      "river-feed",
    ),
    "River Post",
  );

  it("counts a credited copy for the outlet it credits, in every order the reports arrive", () => {
    const orders = permutations([wire, copy, plain, riverOwn]);
    expect(orders).toHaveLength(24);
    const decisions = new Set<string>();
    for (const order of orders) {
      const matcher = createThemeMatcher(theme);
      const results = order.map((input) => ({ input, ...matchInMemory(matcher, input) }));
      const events = [...matcher.index.events.values()];
      const label = order.map((input) => input.id).join(",");
      expect(events, label).toHaveLength(1);
      const event = events[0];
      expect(event?.articleCount, label).toBe(4);
      expect(event?.outlets.map((each) => each.key).sort(), label).toEqual(["northernwire", "plaindesk", "riverpost"]);
      for (const result of results) decisions.add(`${result.input.id}:${result.explanation.decision}`);
      const copyMember = event?.members.find((member) => member.articleId === "copy");
      expect(copyMember, label).toMatchObject({ outlet: "northernwire", credit: "Northern Wire" });
    }
    // Both sides of the question were asked: the copy after the wire report, and the wire report after the copy.
    expect(decisions).toContain("copy:copy");
    expect(decisions).toContain("wire:copy");
  });

  it("counts a copy that credits no one for none, as before", () => {
    const matcher = createThemeMatcher(theme);
    matchInMemory(matcher, wire);
    const uncredited = outlet(
      article("bare-copy", "2026-03-02T08:40:00Z", "Eleven soldiers die in ambush", AMBUSH, "echo-feed"),
      "Echo Daily",
    );
    const result = matchInMemory(matcher, uncredited);
    expect(result.explanation.decision).toBe("copy");
    expect(result.event?.outlets.map((each) => each.key)).toEqual(["northernwire"]);
    expect(result.event?.members.at(-1)).toMatchObject({ articleId: "bare-copy", outlet: null, credit: null });
  });

  it("reads the credit of a report claimed late from its whole text, not its summary", () => {
    const matcher = createThemeMatcher(theme);
    const earlyText =
      "Gunmen in combat fatigues opened fire at a concert hall in Riverton on Friday night, killing at least forty people and wounding more than a hundred, emergency services said. The attackers set the hall on fire before fleeing. (Northern Wire)";
    const early: MatchInput = {
      ...outlet(
        article("early", "2026-04-10T20:00:00Z", "Gunmen open fire at concert hall in Riverton", earlyText, "river-feed"),
        "River Post",
      ),
      summary: earlyText.slice(0, 120),
    };
    expect(matchInMemory(matcher, early).explanation.decision).toBe("off-theme");
    const claim = matchInMemory(
      matcher,
      outlet(
        article(
          "claim",
          "2026-04-11T08:00:00Z",
          "Islamic State claims Riverton concert hall attack",
          "The Islamic State group claimed responsibility for the attack on a concert hall in Riverton, where gunmen in combat fatigues opened fire on Friday night, killing at least forty people, wounding more than a hundred and setting the hall on fire.",
          "wire-feed",
        ),
        "Northern Wire",
      ),
    );
    expect(claim.reconsidered.map((entry) => entry.prepared.input.id)).toEqual(["early"]);
    expect(claim.event?.outlets.map((each) => each.key)).toEqual(["northernwire"]);
  });

  it("counts a source an older event knew by its id once, under its outlet, when it reports again", () => {
    const matcher = createThemeMatcher(theme);
    const opened = matchInMemory(matcher, plain).event as EventState;
    // As an event stored before outlets were read: its sources by id.
    matcher.index.upsert({
      ...opened,
      outlets: [
        { key: "plain-feed", name: "plain-feed" },
        { key: "old-feed", name: "old-feed" },
      ],
    });
    const grown = matchInMemory(matcher, {
      ...plain,
      id: "plain-2",
      contentHash: "other",
      title: "Army names soldiers killed near Palmyra",
    });
    expect(grown.event?.outlets).toEqual([
      { key: "plaindesk", name: "Plain Desk - Middle East" },
      { key: "old-feed", name: "old-feed" },
    ]);
  });
});

describe("stories that surface late", () => {
  it("lets a new event claim an earlier report that never named the group", () => {
    const matcher = createThemeMatcher(theme);
    const early = matchInMemory(
      matcher,
      article(
        "early",
        "2026-04-10T20:00:00Z",
        "Gunmen open fire at concert hall in Riverton",
        "Gunmen in combat fatigues opened fire at a concert hall in Riverton on Friday night, killing at least forty people and wounding more than a hundred, emergency services said. The attackers set the hall on fire before fleeing.",
      ),
    );
    expect(early.explanation.decision).toBe("off-theme");
    const claim = matchInMemory(
      matcher,
      article(
        "claim",
        "2026-04-11T08:00:00Z",
        "Islamic State claims Riverton concert hall attack",
        "The Islamic State group claimed responsibility for the attack on a concert hall in Riverton, where gunmen in combat fatigues opened fire on Friday night, killing at least forty people, wounding more than a hundred and setting the hall on fire.",
      ),
    );
    expect(claim.explanation.decision).toBe("new-event");
    expect(claim.reconsidered.map((entry) => entry.prepared.input.id)).toEqual(["early"]);
    expect(claim.reconsidered[0]?.explanation).toMatchObject({
      decision: "attached",
      onTheme: true,
      reconsidered: true,
      eventId: claim.event?.id,
    });
    expect(claim.event?.articleCount).toBe(2);
    expect(matcher.pending.map((entry) => entry.input.id)).not.toContain("early");
  });

  const blast = (id: string, day: number, title: string, extra: string) =>
    article(
      id,
      `2026-05-0${day}T10:00:00Z`,
      title,
      `Coordinated blasts tore through three churches and two hotels in Lakeport on Easter Sunday, killing more than two hundred worshippers and guests, police said. ${extra}`,
    );

  it("puts a story on-theme when a later report names the group in passing, with its earlier reports", () => {
    const matcher = createThemeMatcher(theme);
    const first = matchInMemory(matcher, blast("b1", 1, "Blasts hit Lakeport churches and hotels", "Terror suspects were held."));
    const second = matchInMemory(matcher, blast("b2", 2, "Lakeport blasts death toll rises", "A terrorist cell is suspected."));
    expect([first.explanation.decision, second.explanation.decision]).toEqual(["off-theme", "off-theme"]);
    const passing = blast(
      "b3",
      3,
      "After Lakeport blasts, a new kind of terror",
      "The Islamic State group said its fighters did it.",
    );
    // Alone, this report is below the theme: one passing mention of the group.
    const alone = createThemeMatcher(theme);
    expect(matchInMemory(alone, passing).explanation).toMatchObject({ decision: "off-theme", theme: { anchored: true } });
    const third = matchInMemory(matcher, passing);
    expect(third.explanation).toMatchObject({
      decision: "new-event",
      onTheme: true,
      theme: { onTheme: true, story: { articles: 3 } },
    });
    expect(third.reconsidered.map((entry) => entry.prepared.input.id).sort()).toEqual(["b1", "b2"]);
  });

  it("keeps an attack that no report ties to the group off-theme, however many reports say terror", () => {
    const matcher = createThemeMatcher(theme);
    const decisions = [
      blast("n1", 1, "Terror attack: blasts hit Lakeport churches", "Terror suspects were held."),
      blast("n2", 2, "Lakeport terror attack death toll rises", "A terrorist cell is suspected; extremist views."),
      blast("n3", 3, "Terrorism in Lakeport: beheading and blasts", "Terror, the minister said, a beheading among the dead."),
    ].map((entry) => matchInMemory(matcher, entry).explanation);
    expect(decisions.map((entry) => entry.onTheme)).toEqual([false, false, false]);
    expect(matcher.index.size).toBe(0);
  });

  it("pools an off-theme report once, however often it is added", () => {
    const matcher = createThemeMatcher(theme);
    const report = article("twice", "2026-04-10T20:00:00Z", "Bridge closed for repairs", "The river bridge closed for repairs.");
    addPending(matcher, preparePending(matcher, report));
    addPending(matcher, preparePending(matcher, { ...report, title: "Bridge closed for repairs, updated" }));
    expect(matcher.pending.map((entry) => entry.input.title)).toEqual(["Bridge closed for repairs, updated"]);
  });
});

describe("the words an event's terms are shown as", () => {
  it("is, for each stem, the word most of its articles wrote", () => {
    const matcher = createThemeMatcher(theme);
    const reports = [
      ["Officials identified the Raqqa bomber", "Security officials identified the bomber as a local man."],
      ["Bomber identified after Raqqa blast", "The bomber was identified by officials on Tuesday."],
      ["Police identifying Raqqa bombing victims", "Police are identifying the victims of the bombing."],
    ];
    let eventId: string | null = null;
    for (const [index, [title, text]] of reports.entries()) {
      eventId = importIntoEvent(
        matcher,
        article(`w${index}`, "2026-03-02T10:00:00Z", title as string, text as string),
        eventId,
      ).id;
    }
    const event = matcher.index.events.get(eventId as string);
    expect(event?.titleTerms.has("identifi")).toBe(true);
    expect(termWord(event?.termWords, "identifi")).toBe("identified");
    expect(termWord(event?.termWords, "offici")).toBe("officials");
    expect(termWord(event?.termWords, "raqqa")).toBe("raqqa");
    // Kept for the terms the event holds, and no others.
    const held = new Set([...(event?.titleTerms.keys() ?? []), ...(event?.bodyTerms.keys() ?? [])]);
    expect(new Set(event?.termWords?.keys())).toEqual(held);
    // An event stored before words were kept shows its stems.
    expect(termWord(undefined, "identifi")).toBe("identifi");
  });

  it("keeps three words a stem at most, the most used", () => {
    const matcher = createThemeMatcher(theme);
    const forms = ["attacked", "attacks", "attacking", "attacker", "attacked", "attack"];
    let eventId: string | null = null;
    for (const [index, form] of forms.entries()) {
      const text = `Raqqa checkpoint ${form} overnight by gunmen.`;
      eventId = importIntoEvent(
        matcher,
        article(`f${index}`, "2026-03-02T10:00:00Z", `Raqqa checkpoint ${form}`, text),
        eventId,
      ).id;
    }
    const words = matcher.index.events.get(eventId as string)?.termWords?.get("attack");
    expect(words?.size).toBe(3);
    expect(words?.get("attacked")).toBe(2);
    expect(termWord(matcher.index.events.get(eventId as string)?.termWords, "attack")).toBe("attacked");
  });

  it("shows the fixture story's stems as the words its reports used", () => {
    const { byId, matcher } = runFixtures();
    const dam = matcher.index.events.get(byId.get("t-01")?.eventId as string);
    const shown = [...(dam?.titleTerms.keys() ?? [])].map((term) => termWord(dam?.termWords, term));
    expect(dam?.titleTerms.has("spillwai")).toBe(true);
    expect(shown).toEqual(expect.arrayContaining(["euphrates", "spillway", "isis", "engineers"]));
    expect(shown).not.toEqual(expect.arrayContaining(["euphrat"]));
  });
});

describe("bounds and windows", () => {
  it("keeps an event's representation bounded however many articles it gathers", () => {
    const matcher = createThemeMatcher(theme);
    let eventId: string | null = null;
    for (let index = 0; index < 300; index += 1) {
      const words = Array.from({ length: 30 }, (_, word) => `term${index}x${word}`).join(" ");
      const event = importIntoEvent(
        matcher,
        article(`n${index}`, "2026-03-02T10:00:00Z", `Report ${index} ${words.slice(0, 40)}`, words),
        eventId,
      );
      eventId = event.id;
    }
    const event = matcher.index.events.get(eventId as string);
    expect(event?.articleCount).toBe(300);
    expect(event?.titleTerms.size).toBeLessThanOrEqual(EVENT_LIMITS.titleTerms);
    expect(event?.bodyTerms.size).toBeLessThanOrEqual(EVENT_LIMITS.bodyTerms);
    expect(event?.members.length).toBe(EVENT_LIMITS.members);
    expect(event?.termWords?.size).toBeLessThanOrEqual(EVENT_LIMITS.titleTerms + EVENT_LIMITS.bodyTerms);
  });

  it("does not offer events far outside the time window as candidates", () => {
    const matcher = createThemeMatcher(theme);
    const text = "Syrian Democratic Forces captured the Tabqa dam on the Euphrates after Islamic State militants withdrew.";
    importIntoEvent(matcher, article("old", "2026-01-01T10:00:00Z", "Dam captured", text), null);
    const prepared = prepareArticle(matcher, article("new", "2026-06-01T10:00:00Z", "Dam captured", text));
    const query = {
      terms: [...prepared.vectors.title.keys(), ...prepared.vectors.body.keys()],
      entities: prepared.vectors.entities.keys(),
      time: prepared.vectors.time,
      maxCandidates: 10,
    };
    expect(matcher.index.candidates({ ...query, windowMs: SHIPPED_MODEL.windowDays * 86_400_000 })).toHaveLength(0);
    expect(matcher.index.candidates({ ...query, windowMs: 365 * 86_400_000 })).toHaveLength(1);
  });
});

describe("evaluation", () => {
  it("scores a matcher that never attaches as worked out by hand", () => {
    // A bias of -1000 makes every probability 0: only copies join events. On the fixtures the
    // clusters are {t-01} {t-02 t-03} {t-06} {t-05} {t-07} against gold {t-01 t-02 t-03 t-06}
    // {t-05 t-07}: BCubed P 1, R (1/4 + 2/4 + 2/4 + 1/4 + 1/2 + 1/2) / 6 = 2.5/6; pairwise P 1,
    // R 1/7; no follow-up reaches the existing event.
    const never = { ...SHIPPED_MODEL.dated.summary, bias: -1000 };
    const profiles = { full: never, summary: never, titleOnly: never };
    const { report } = runFixtures({ ...SHIPPED_MODEL, dated: profiles, undated: profiles });
    expect(report.bcubed?.p).toBe(1);
    expect(report.bcubed?.r).toBeCloseTo(2.5 / 6, 10);
    expect(report.bcubed?.f1).toBeCloseTo((2 * (2.5 / 6)) / (1 + 2.5 / 6), 10);
    expect(report.pairwise).toMatchObject({ p: 1 });
    expect(report.pairwise?.r).toBeCloseTo(1 / 7, 10);
    expect(report.attach_accuracy).toBe(0);
    expect(report.theme).toEqual({ p: 1, r: 1, f1: 1 });
  });
});

describe("model files", () => {
  it("refuses a model missing a field, naming it", () => {
    const { undated: _, ...partial } = SHIPPED_MODEL;
    expect(() => parseMatcherModel(partial, "broken.json")).toThrow(/broken\.json: undated/);
    expect(() => parseMatcherModel({ ...SHIPPED_MODEL, copyMaxHamming: -1 }, "broken.json")).toThrow(/copyMaxHamming/);
  });
});
