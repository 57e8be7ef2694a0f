import type { EventState } from "./event";
import {
  type EventWithArticles,
  type MaintenanceArticle,
  type MaintenancePlanner,
  type MergeDecision,
  rebuildEvent,
  type SplitDecision,
} from "./maintenance-apply";
import { describeMerge, describeSplit, mergeSignals, splitSignals } from "./maintenance-explain";
import {
  actionsApart,
  type Group,
  joinsByMajority,
  measureAgreement,
  oneHappening,
  originalsOf,
  type PassReader,
  passReader,
  QUIET_DAYS,
  quietDaysBetween,
  readArticle,
  singleArticleEvent,
  titleActions,
  twoHappeningsByTitle,
} from "./maintenance-judge";
import { DAY_MS, eventIdFor, type Matcher } from "./matcher";

/** A part of a split must hold at least this many original reports: a lone odd article is not a happening. */
const MIN_PART = 2;
/** Events with more originals than this are not split (the pairwise reading grows with the square). */
const MAX_SPLIT_ORIGINALS = 80;

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const byPublication = (a: MaintenanceArticle, b: MaintenanceArticle) =>
  Date.parse(a.input.publishedAt) - Date.parse(b.input.publishedAt) || byId(a.input.id, b.input.id);

function earlierFirst(a: EventState, b: EventState): [EventState, EventState] {
  const time = Date.parse(a.firstSeen) - Date.parse(b.firstSeen);
  return time < 0 || (time === 0 && byId(a.id, b.id) <= 0) ? [a, b] : [b, a];
}

/** An event's original reports, read. */
function groupOf(matcher: Matcher, event: EventState, articles: readonly MaintenanceArticle[]): Group {
  return { event, reports: originalsOf(articles).map((article) => readArticle(matcher, article.input)) };
}

function planMerges(reader: PassReader, recent: readonly EventWithArticles[]): MergeDecision[] {
  const { matcher } = reader;
  if (recent.length < 2) return [];
  const held = new Map(recent.map((entry) => [entry.event.id, entry]));
  const judged = new Set<string>();
  const found: { decision: MergeDecision; strength: number }[] = [];
  for (const entry of [...recent].sort((a, b) => byId(a.event.id, b.event.id))) {
    const { event } = entry;
    // The events the matcher would offer an article of this one: no pair is judged that it would not.
    const candidates = matcher.index.candidates({
      terms: [...event.titleTerms.keys(), ...event.bodyTerms.keys()],
      entities: event.entities.keys(),
      time: Date.parse(event.lastSeen),
      windowMs: matcher.model.windowDays * DAY_MS,
      maxCandidates: matcher.model.maxCandidates,
    });
    for (const candidate of candidates) {
      const other = held.get(candidate.id);
      if (other === undefined || other.event.id === event.id) continue;
      const key = [event.id, other.event.id].sort(byId).join(" ");
      if (judged.has(key)) continue;
      judged.add(key);
      const [into, from] = earlierFirst(event, other.event);
      const first = groupOf(matcher, into, (held.get(into.id) as EventWithArticles).articles);
      const second = groupOf(matcher, from, (held.get(from.id) as EventWithArticles).articles);
      // The model first, each way, as it settles most pairs after a report or two.
      const [small, large] =
        second.reports.length <= first.reports.length
          ? [[second.reports, into] as const, [first.reports, from] as const]
          : [[first.reports, from] as const, [second.reports, into] as const];
      if (!joinsByMajority(reader, small[0], small[1]) || !joinsByMajority(reader, large[0], large[1])) continue;
      const agreement = measureAgreement(reader, first, second);
      const signals = mergeSignals(agreement);
      if (!oneHappening(agreement)) continue;
      found.push({
        decision: {
          kind: "merge",
          into: into.id,
          from: from.id,
          explanation: { summary: describeMerge(into, from, agreement), signals },
        },
        strength: agreement.intoFirst.meanProbability + agreement.intoSecond.meanProbability,
      });
    }
  }
  // Strongest first; an event takes part in one merge a pass (a chain is joined over passes).
  found.sort((a, b) => b.strength - a.strength || byId(a.decision.from, b.decision.from));
  const used = new Set<string>();
  const merges: MergeDecision[] = [];
  for (const { decision } of found) {
    if (used.has(decision.into) || used.has(decision.from)) continue;
    used.add(decision.into);
    used.add(decision.from);
    merges.push(decision);
  }
  return merges;
}

/** An event's originals cut in two at a time: the earlier part and the later. */
type TimeCut = { earlier: MaintenanceArticle[]; later: MaintenanceArticle[]; ncut: number; crossing: [number, number] };

/**
 * The cuts of an event's originals into an earlier and a later part, each at least `MIN_PART`
 * reports, with `QUIET_DAYS` without a report between the earlier's last and the later's first; each with how
 * the model's pairwise affinity falls across it (the probability that one report would join an
 * event of only the other, both ways averaged): the share of each part's affinity that crosses
 * the cut, and their sum (the normalised cut of Shi and Malik).
 */
function timeCuts(reader: PassReader, originals: readonly MaintenanceArticle[]): TimeCut[] {
  const { matcher } = reader;
  const ordered = [...originals].sort(byPublication);
  const at: number[] = [];
  for (let k = MIN_PART; k <= ordered.length - MIN_PART; k += 1) {
    const [before, after] = [ordered[k - 1], ordered[k]] as [MaintenanceArticle, MaintenanceArticle];
    if (quietDaysBetween(before.input.publishedAt, after.input.publishedAt) >= QUIET_DAYS) at.push(k);
  }
  const prepared = ordered.map((article) => readArticle(matcher, article.input));
  // The titles first, as they cost least: parts whose titles share their action are one happening told on.
  const apart = at.filter((k) => actionsApart(titleActions(matcher, prepared.slice(0, k), prepared.slice(k))));
  if (apart.length === 0) return [];
  const singles = prepared.map((article) => singleArticleEvent(matcher, article));
  const p = prepared.map((article) => singles.map((single) => reader.score(article, single).probability));
  const w = (i: number, j: number) => (i === j ? 0 : (((p[i] as number[])[j] as number) + ((p[j] as number[])[i] as number)) / 2);
  const degree = ordered.map((_, i) => ordered.reduce((sum, _o, j) => sum + w(i, j), 0));
  return apart.map((k) => {
    let cut = 0;
    for (let i = 0; i < k; i += 1) for (let j = k; j < ordered.length; j += 1) cut += w(i, j);
    const volume = (from: number, to: number) => degree.slice(from, to).reduce((sum, d) => sum + d, 0);
    const crossing: [number, number] = [cut / (volume(0, k) || 1), cut / (volume(k, ordered.length) || 1)];
    return { earlier: ordered.slice(0, k), later: ordered.slice(k), ncut: crossing[0] + crossing[1], crossing };
  });
}

function planSplit(reader: PassReader, entry: EventWithArticles): SplitDecision | null {
  const { matcher } = reader;
  const { event, articles } = entry;
  const originals = originalsOf(articles);
  if (originals.length < 2 * MIN_PART || originals.length > MAX_SPLIT_ORIGINALS) return null;
  // Without real dates there is no telling two happenings in turn from one.
  if (originals.some((article) => !article.input.dated)) return null;
  // The cut the model's own affinities favour, among those that leave most of each part's affinity inside it.
  const cut = timeCuts(reader, originals)
    .filter((candidate) => candidate.crossing[0] < 0.5 && candidate.crossing[1] < 0.5)
    .sort((a, b) => a.ncut - b.ncut)[0];
  if (cut === undefined) return null;
  // A new happening comes later: the event's centre must lie in the earlier part, which keeps
  // the id, and the later part leaves. (When the centre is among the later reports, they are what
  // the story as a whole says, not a happening of their own.)
  if (!cut.earlier.some((article) => article.input.id === event.centralArticleId)) return null;
  const stayingIds = new Set(cut.earlier.map((article) => article.input.id));
  // A copy goes with its original.
  const stays = (article: MaintenanceArticle) =>
    stayingIds.has(article.input.id) || (article.copyOf !== null && stayingIds.has(article.copyOf));
  const staying = articles.filter(stays);
  const moving = articles.filter((article) => !stays(article)).sort(byPublication);
  // Named by its earliest report, so a retried pass names the same event.
  const into = eventIdFor(matcher.themeId, (moving[0] as MaintenanceArticle).input.id);
  const read = (input: MaintenanceArticle["input"]) => readArticle(matcher, input);
  const kept = rebuildEvent(matcher, event.id, staying, event, read);
  const opened = rebuildEvent(matcher, into, moving, undefined, read);
  const agreement = measureAgreement(reader, groupOf(matcher, kept, staying), groupOf(matcher, opened, moving));
  const signals = splitSignals(agreement, cut.ncut, cut.crossing);
  if (!twoHappeningsByTitle(agreement)) return null;
  return {
    kind: "split",
    from: event.id,
    into,
    articleIds: moving.map((article) => article.input.id),
    explanation: { summary: describeSplit(kept, opened, agreement), signals },
  };
}

/**
 * The maintenance planner. Re-examines recent events (see docs/matching.md, "Events that correct
 * themselves"): merges two events that are one happening into the one first seen, and splits an
 * event that holds two happenings in turn (the part with the central article keeps the id).
 * Merges come first, and no event is in two decisions, so each applies to the state the earlier
 * ones leave. Reads the matcher, changes nothing; the pass's time does not enter its judgement.
 */
export const planMaintenance: MaintenancePlanner = (matcher, recent) => {
  const reader = passReader(matcher);
  const merges = planMerges(reader, recent);
  const merged = new Set(merges.flatMap((merge) => [merge.into, merge.from]));
  const splits: SplitDecision[] = [];
  for (const entry of [...recent].sort((a, b) => byId(a.event.id, b.event.id))) {
    if (merged.has(entry.event.id)) continue;
    const split = planSplit(reader, entry);
    if (split !== null) splits.push(split);
  }
  return [...merges, ...splits];
};
