import type { EntityDictionary } from "../text-features/entities";
import type { EventState } from "./event";
import { nextEventState } from "./grow-event";
import type { MaintenanceArticle } from "./maintenance-apply";
import { DAY_MS, explain, type Matcher, type MatchInput, type PreparedArticle } from "./matcher";
import { prepareArticle } from "./prepare-article";
import { type DecisionProfile, matchProbability, profileFor, type Signals, signalScorer } from "./signals";

/** Each article read once per dictionary: a planner builds the same articles into several groupings. */
const preparedByDictionary = new WeakMap<EntityDictionary, WeakMap<MatchInput, PreparedArticle>>();

function preparedOf(matcher: Matcher): WeakMap<MatchInput, PreparedArticle> {
  let known = preparedByDictionary.get(matcher.dictionary);
  if (known === undefined) {
    known = new WeakMap();
    preparedByDictionary.set(matcher.dictionary, known);
  }
  return known;
}

/** Reads an article as the matcher does, remembering it for as long as the input object lives. */
export function readArticle(matcher: Matcher, input: MatchInput): PreparedArticle {
  const known = preparedOf(matcher);
  let prepared = known.get(input);
  if (prepared === undefined) {
    prepared = prepareArticle(matcher, input);
    known.set(input, prepared);
  }
  return prepared;
}

/** Remembers an article the matcher has already read (a stream matched in memory), so a pass need not read it again. */
export function rememberArticle(matcher: Matcher, prepared: PreparedArticle): void {
  preparedOf(matcher).set(prepared.input, prepared);
}

/**
 * An event's originals: its articles less the copies whose original is in it (a copy is the same
 * report again and says nothing more about what the event is). In publication order.
 */
export function originalsOf(articles: readonly MaintenanceArticle[]): MaintenanceArticle[] {
  const present = new Set(articles.map((article) => article.input.id));
  return articles.filter((article) => article.copyOf === null || !present.has(article.copyOf));
}

/** Events of one article, made once: an opening event reads no term rarities, so it never changes. */
const singles = new WeakMap<PreparedArticle, EventState>();

/** An event of one article: what a report meets when it opens its own event. */
export function singleArticleEvent(matcher: Matcher, prepared: PreparedArticle): EventState {
  let single = singles.get(prepared);
  if (single === undefined) {
    const explanation = explain(null, { decision: "new-event", onTheme: true, eventId: `single:${prepared.input.id}` });
    single = nextEventState(matcher, prepared, explanation, undefined) as EventState;
    singles.set(prepared, single);
  }
  return single;
}

/** A report scored against an event: its signals, its probability, and the profile that judged it. */
type Scored = { signals: Signals; probability: number; profile: DecisionProfile };

/**
 * What one pass reads through: the matcher, and each report scored against events by a scorer
 * made once per report (the index does not change while a pass plans).
 */
export type PassReader = { matcher: Matcher; score: (report: PreparedArticle, target: EventState) => Scored };

/** A reader for one pass over the matcher as it now stands. */
export function passReader(matcher: Matcher): PassReader {
  const scorers = new Map<PreparedArticle, { profile: DecisionProfile; signals: (event: EventState) => Signals }>();
  return {
    matcher,
    score: (report, target) => {
      let scorer = scorers.get(report);
      if (scorer === undefined) {
        scorer = { profile: profileFor(matcher.model, report.vectors), signals: signalScorer(report.vectors, matcher.index) };
        scorers.set(report, scorer);
      }
      const signals = scorer.signals(target);
      return { signals, probability: matchProbability(scorer.profile, signals), profile: scorer.profile };
    },
  };
}

/** How one group's reports meet another event, as the matcher would judge each of them arriving now. */
export type CrossScore = {
  /** Reports whose probability reaches their profile's attach threshold. */
  joined: number;
  /** Reports whose probability reaches their profile's follow-up threshold (a close match). */
  close: number;
  total: number;
  meanProbability: number;
  /** Mean title-action cosine (what happened, not to whom or where). */
  meanTitleAction: number;
  /** Mean share of rare entities. */
  meanRare: number;
};

/** Scores each report against `target` with the matcher's own model and thresholds. */
function crossScore(reader: PassReader, reports: readonly PreparedArticle[], target: EventState): CrossScore {
  let joined = 0;
  let close = 0;
  let probability = 0;
  let action = 0;
  let rare = 0;
  for (const report of reports) {
    const { signals, probability: p, profile } = reader.score(report, target);
    if (p >= profile.attachThreshold) joined += 1;
    if (p >= profile.followUpThreshold) close += 1;
    probability += p;
    action += signals.titleActionCos;
    rare += signals.entityRare;
  }
  const n = Math.max(reports.length, 1);
  return {
    joined,
    close,
    total: reports.length,
    meanProbability: probability / n,
    meanTitleAction: action / n,
    meanRare: rare / n,
  };
}

/**
 * Whether a majority of `reports` would join `target` at their profiles' attach threshold; stops
 * as soon as the answer is known (most pairs of events a pass looks at are far apart).
 */
export function joinsByMajority(reader: PassReader, reports: readonly PreparedArticle[], target: EventState): boolean {
  let joined = 0;
  let left = reports.length;
  for (const report of reports) {
    const { probability, profile } = reader.score(report, target);
    if (probability >= profile.attachThreshold) joined += 1;
    left -= 1;
    if (majority(joined, reports.length)) return true;
    if (!majority(joined + left, reports.length)) return false;
  }
  return false;
}

/**
 * How many of one group's titles share their action with another group's titles, and the words
 * they share. A title shares it when at least half of what it says happened (its words that are
 * no names, each weighed by its rarity across events) is said in the other group's titles: "killed"
 * alone, said of every attack, does not make a reprisal the attack before it.
 */
type ActionSharing = { sharing: number; total: number; words: string[] };

/** Reads, for each of `own`'s titles, whether it shares its action with `other`'s titles (see `ActionSharing`). */
function actionSharing(
  own: readonly PreparedArticle[],
  other: readonly PreparedArticle[],
  idf: (term: string) => number,
): ActionSharing {
  const theirs = new Set(other.flatMap((report) => [...report.vectors.titleAction.keys()]));
  const counts = new Map<string, number>();
  let sharing = 0;
  for (const report of own) {
    let said = 0;
    let shared = 0;
    for (const term of report.vectors.titleAction.keys()) {
      const weight = idf(term);
      said += weight;
      if (theirs.has(term)) {
        shared += weight;
        counts.set(term, (counts.get(term) ?? 0) + 1);
      }
    }
    if (said > 0 && 2 * shared >= said) sharing += 1;
  }
  const words = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([term]) => wordOf(own, term));
  return { sharing, total: own.length, words };
}

/** The word a term was written as in these reports' titles and texts. */
function wordOf(reports: readonly PreparedArticle[], term: string): string {
  return reports.map((report) => report.features.termWords.get(term)).find((word) => word !== undefined) ?? term;
}

/** A title term and how many of a group's titles carry it. */
type TitleTerm = { term: string; word: string; titles: number };

/**
 * Title terms (names included) that most of `own`'s titles carry and none of `other`'s: what
 * one group's headlines say that the other's never do (a release, a sentence).
 */
function ownTitleTerms(own: readonly PreparedArticle[], other: readonly PreparedArticle[]): TitleTerm[] {
  const elsewhere = new Set(other.flatMap((report) => [...report.features.titleTerms.keys()]));
  const counts = new Map<string, number>();
  for (const report of own)
    for (const term of report.features.titleTerms.keys()) if (!elsewhere.has(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return [...counts]
    .filter(([, titles]) => majority(titles, own.length))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([term, titles]) => ({ term, word: wordOf(own, term), titles }));
}

/**
 * Two happenings in turn leave a quiet day between them: a whole UTC day without a report between
 * the earlier one's last and the later one's first. One happening's reports run on from day to
 * day (the evaluation files give days, so there: the later begins two days or more after).
 */
export const QUIET_DAYS = 1;

const utcDay = (iso: string) => Math.floor(Date.parse(iso) / DAY_MS);

/** Whole UTC days without a report between two times (0 when they fall on the same or adjacent days). */
export function quietDaysBetween(earlier: string, later: string): number {
  return Math.max(0, utcDay(later) - utcDay(earlier) - 1);
}

/** Quiet days between two spans: from the end of the earlier to the start of the later; 0 when they overlap. */
function quietDays(a: Pick<EventState, "firstSeen" | "lastSeen">, b: Pick<EventState, "firstSeen" | "lastSeen">): number {
  return Math.max(quietDaysBetween(a.lastSeen, b.firstSeen), quietDaysBetween(b.lastSeen, a.firstSeen));
}

/** Days from the end of the earlier span to the start of the later; 0 when the spans overlap. */
function gapDays(a: Pick<EventState, "firstSeen" | "lastSeen">, b: Pick<EventState, "firstSeen" | "lastSeen">): number {
  const gap = Math.max(0, Date.parse(b.firstSeen) - Date.parse(a.lastSeen), Date.parse(a.firstSeen) - Date.parse(b.lastSeen));
  return gap / DAY_MS;
}

/** Two groups of reports read against each other: by their titles, and each side's reports by the model against the other's event. */
export type Agreement = {
  intoFirst: CrossScore;
  intoSecond: CrossScore;
  /** The first group's titles against the second's, and the second's against the first's. */
  actions: { first: ActionSharing; second: ActionSharing };
  ownTerms: { first: TitleTerm[]; second: TitleTerm[] };
  /** Every report of both groups is a headline alone (no text). */
  headlinesOnly: boolean;
  /** Days between the groups' spans (0 when they overlap). */
  gapDays: number;
  /** Whole days without a report between the groups' spans. */
  quietDays: number;
};

/** Two groups with their events, read for a judgement. */
export type Group = { event: EventState; reports: readonly PreparedArticle[] };

/** Reads two groups against each other (see `Agreement`). */
export function measureAgreement(reader: PassReader, first: Group, second: Group): Agreement {
  return {
    intoFirst: crossScore(reader, second.reports, first.event),
    intoSecond: crossScore(reader, first.reports, second.event),
    actions: titleActions(reader.matcher, first.reports, second.reports),
    ownTerms: titleTerms(first.reports, second.reports),
    headlinesOnly: [...first.reports, ...second.reports].every((report) => report.vectors.body.size === 0),
    gapDays: gapDays(first.event, second.event),
    quietDays: quietDays(first.event, second.event),
  };
}

/** Both groups' titles against the other's. */
export function titleActions(
  matcher: Matcher,
  first: readonly PreparedArticle[],
  second: readonly PreparedArticle[],
): Agreement["actions"] {
  const idf = matcher.index.termIdf;
  return { first: actionSharing(first, second, idf), second: actionSharing(second, first, idf) };
}

function titleTerms(first: readonly PreparedArticle[], second: readonly PreparedArticle[]): Agreement["ownTerms"] {
  return { first: ownTitleTerms(first, second), second: ownTitleTerms(second, first) };
}

const majority = (count: number, total: number) => 2 * count > total;

/** On each side, most titles share their action with the other side's titles (see `ActionSharing`). */
function actionsShared(actions: Agreement["actions"]): boolean {
  return majority(actions.first.sharing, actions.first.total) && majority(actions.second.sharing, actions.second.total);
}

/** On each side, most titles do not share their action with the other side's titles. */
export function actionsApart(actions: Agreement["actions"]): boolean {
  const apart = (side: ActionSharing) => majority(side.total - side.sharing, side.total);
  return apart(actions.first) && apart(actions.second);
}

/**
 * One happening: by a majority both ways, each side's reports would join the other's event at
 * the model's attach threshold; and the two are not happenings in turn. They are not when their
 * reports run on from day to day (no `QUIET_DAYS` between them), or when most titles on each side
 * share their action with the other side's and neither side's headlines carry a term that the
 * other's never do. (Headlines alone are judged by the model only: its probability is then
 * itself a reading of the headline words.)
 */
export function oneHappening(agreement: Agreement): boolean {
  const { intoFirst, intoSecond, actions, ownTerms } = agreement;
  const byModel = majority(intoFirst.joined, intoFirst.total) && majority(intoSecond.joined, intoSecond.total);
  if (!byModel || agreement.headlinesOnly || agreement.quietDays < QUIET_DAYS) return byModel;
  return actionsShared(actions) && ownTerms.first.length === 0 && ownTerms.second.length === 0;
}

/**
 * Two happenings, read from the titles: on each side most titles do not share their action with
 * the other side's, and one side's headlines carry a term the other's never do.
 */
export function twoHappeningsByTitle(agreement: Agreement): boolean {
  return actionsApart(agreement.actions) && agreement.ownTerms.first.length + agreement.ownTerms.second.length > 0;
}
