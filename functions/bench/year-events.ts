import {
  addToGrowth,
  decideMatch,
  EVENT_LIMITS,
  type EventGrowth,
  type EventMember,
  type EventState,
  eventIdFor,
  hashId,
  type MatchExplanation,
  type Matcher,
  type MatchInput,
  nextEventState,
  prepareArticle,
  SIGNAL_NAMES,
  seededRandom,
  type ThemeScore,
} from "@eventwire/core";

// One event of the synthetic year while its articles are written: the state its first reports
// make through core's own `nextEventState` (terms, entities, title, central article), and the
// counts, members, outlets and growth of every later report, kept as the matcher would keep them.
// Only the first few reports go through the matcher's text features: the rest add what the
// store keeps of them (a member, an outlet, a count), so a year is built in minutes.

/** Reports of an event read by the matcher's text features (the rest are only counted). */
const PREPARED_REPORTS = 3;

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** An event being written: its plan, its state so far, and the explanation its reports carry. */
export type OpenEvent = {
  index: number;
  id: string;
  /** Publication times (epoch ms) of its reports, in order; the plan's, cut at the year's end. */
  times: number[];
  /** Source number of each report. */
  sources: number[];
  /** For each report, the earlier report it is a copy of, or -1. */
  copyOf: number[];
  /** The next report to write. */
  next: number;
  state: EventState | null;
  prepared: number;
  originals: number;
  members: EventMember[];
  outlets: Map<string, string>;
  growth: EventGrowth | undefined;
  /** The theme's change sequence at its latest report. */
  seq: number;
  /** The theme score of its first report, which every report's explanation carries. */
  theme: ThemeScore | null;
  random: () => number;
};

/** A report's article id: stable for a seed, an event and the report's number. */
export function reportId(seed: number, event: number, report: number): string {
  return hashId("year-report", String(seed), String(event), String(report));
}

/** Opens event number `index` with its planned reports. */
export function openEvent(seed: number, index: number, times: number[], sources: number[], copyOf: number[]): OpenEvent {
  return {
    index,
    id: eventIdFor("isis-syria", reportId(seed, index, 0)),
    times,
    sources,
    copyOf,
    next: 0,
    state: null,
    prepared: 0,
    originals: 0,
    members: [],
    outlets: new Map(),
    growth: undefined,
    seq: 0,
    theme: null,
    random: seededRandom((seed * 7_919 + index * 104_729) >>> 0),
  };
}

/** The explanation a report of `open` is stored with (`decision` as the matcher would give it). */
export function reportExplanation(open: OpenEvent, report: number, copyOfId: string | null): MatchExplanation {
  const random = open.random;
  const decision = report === 0 ? "new-event" : copyOfId !== null ? "copy" : "attached";
  const attached = decision === "attached";
  return {
    decision,
    onTheme: true,
    theme: open.theme,
    eventId: open.id,
    probability: attached ? round3(0.55 + 0.45 * random()) : null,
    runnerUp: attached && random() < 0.5 ? { eventId: hashId("runner-up", open.id), probability: round3(0.3 * random()) } : null,
    copyOf: copyOfId,
    signals: attached
      ? (Object.fromEntries(SIGNAL_NAMES.map((name) => [name, round3(random())])) as MatchExplanation["signals"])
      : null,
    candidates: report === 0 ? Math.floor(random() * 3) : 1 + Math.floor(random() * 8),
    reconsidered: false,
  };
}

/**
 * Adds one report to the event: through the matcher's features for the first few originals
 * (which shape its terms and title), as a member, an outlet and a count for every report.
 */
export function addReport(
  matcher: Matcher,
  open: OpenEvent,
  input: MatchInput,
  explanation: MatchExplanation,
  copyOfId: string | null,
  sourceTitle: string,
): void {
  const isCopy = copyOfId !== null;
  if (open.state === null || (!isCopy && open.prepared < PREPARED_REPORTS)) {
    const prepared = prepareArticle(matcher, input);
    if (open.state === null) {
      // The theme score the real decision gives the first report, carried by every report.
      open.theme = decideMatch(matcher, prepared).theme;
      explanation.theme = open.theme;
    }
    open.state = nextEventState(matcher, prepared, explanation, open.state ?? undefined) ?? open.state;
    open.prepared += 1;
  }
  if (!isCopy) {
    open.originals += 1;
    if (open.outlets.size < EVENT_LIMITS.outlets && !open.outlets.has(input.sourceId))
      open.outlets.set(input.sourceId, sourceTitle);
  }
  const simhash = Math.floor(open.random() * 2 ** 32)
    .toString(16)
    .padStart(8, "0");
  open.members.push({
    articleId: input.id,
    sourceId: input.sourceId,
    publishedAt: input.publishedAt,
    simhash: `${simhash}${simhash.split("").reverse().join("")}`,
    contentHash: input.contentHash,
    copyOf: copyOfId,
    outlet: isCopy ? null : input.sourceId,
    credit: null,
  });
  if (open.members.length > EVENT_LIMITS.members * 2) open.members = open.members.slice(-EVENT_LIMITS.members);
  const firstSeen = new Date(open.times[0] as number).toISOString();
  open.growth = addToGrowth(open.growth, input.publishedAt, firstSeen);
}

/** The event as stored after its reports so far: the matcher's state with every report counted. */
export function eventStateOf(open: OpenEvent): EventState {
  const state = open.state as EventState;
  const written = open.next;
  return {
    ...state,
    version: written,
    seq: open.seq,
    firstSeen: new Date(open.times[0] as number).toISOString(),
    lastSeen: new Date(open.times[written - 1] as number).toISOString(),
    articleCount: written,
    originalCount: open.originals,
    outlets: [...open.outlets].map(([key, name]) => ({ key, name })),
    members: open.members.slice(-EVENT_LIMITS.members),
    ...(open.growth === undefined ? {} : { growth: open.growth }),
  };
}
