import {
  type Article,
  contentHashOf,
  createThemeMatcher,
  DEFAULT_THEMES,
  decideMatch,
  hashId,
  type MatchExplanation,
  type MatchInput,
  prepareArticle,
  seededRandom,
  sourceIdForUrl,
  type ThemeDefinition,
} from "@eventwire/core";
import { articleItems, changeLogExpiry, ENTITY, eventToItem, keys, SCHEMA_VERSION, TABLE_SCHEMA } from "@eventwire/store";
import { addReport, eventStateOf, type OpenEvent, openEvent, reportExplanation, reportId } from "./year-events";
import { eventWords, placeOf, reportText } from "./year-text";

type Item = Record<string, unknown>;

export const DAY_MS = 86_400_000;
export const YEAR_THEME = "isis-syria";

/** What a synthetic year is made of; `yearShape` gives the year, scaled. */
export type YearShape = {
  days: number;
  /** Reports a day, on- and off-theme (the on-theme ones come from the events' sizes). */
  articlesPerDay: number;
  events: number;
  offThemeShare: number;
  sources: number;
  /** Share of an event's later reports that are copies of an earlier one (syndication). */
  copyShare: number;
  /** Days before the end whose reports are stored with their full text (older ones: the summary stands in). */
  textDays: number;
  /** Days before the end whose changes are in the change log (the log's own expiry). */
  changeDays: number;
  seed: number;
  /** The year's end (epoch ms): every report is published before it. */
  endMs: number;
};

/** A theme's year of 5,000 reports a day (about 1.8 million) and 100,000 events, times `scale`. */
export function yearShape(scale: number, endMs: number, overrides: Partial<YearShape> = {}): YearShape {
  return {
    days: 365,
    articlesPerDay: Math.max(1, Math.round(5_000 * scale)),
    events: Math.max(1, Math.round(100_000 * scale)),
    offThemeShare: 0.15,
    sources: 200,
    copyShare: 0.12,
    textDays: 60,
    changeDays: 60,
    seed: 17,
    endMs,
    ...overrides,
  };
}

/** The feed URL of source number `n` (its id is the product's `sourceIdForUrl` of it). */
const sourceUrl = (n: number) => `https://wire-${String(n).padStart(3, "0")}.example/feed.xml`;
const sourceTitle = (n: number) => `Wire ${String(n).padStart(3, "0")}`;

/** A source number with Zipf-like weights: a few sources publish most reports. */
function drawSource(random: () => number, sources: number): number {
  return Math.min(sources - 1, Math.floor(sources ** random()) - 1);
}

/** Event sizes: heavy-tailed (Pareto, α = 1.7), about `mean` reports on average, at most 4,000. */
function drawSize(random: () => number, mean: number): number {
  const alpha = 1.7;
  const scale = (mean * (alpha - 1)) / alpha;
  return Math.max(1, Math.min(4_000, Math.round(scale * (1 - random()) ** (-1 / alpha))));
}

type Plan = { start: Float64Array; size: Int32Array; spread: Float64Array };

/** Every event's start, size and how long it keeps being reported (bigger: longer), in start order. */
function planEvents(shape: YearShape): Plan {
  const random = seededRandom(shape.seed);
  const startMs = shape.endMs - shape.days * DAY_MS;
  const mean = (shape.articlesPerDay * (1 - shape.offThemeShare) * shape.days) / shape.events;
  const plan: Plan = {
    start: new Float64Array(shape.events),
    size: new Int32Array(shape.events),
    spread: new Float64Array(shape.events),
  };
  for (let index = 0; index < shape.events; index += 1) {
    plan.start[index] = startMs + ((index + random()) / shape.events) * shape.days * DAY_MS;
    const size = drawSize(random, mean);
    plan.size[index] = size;
    plan.spread[index] = Math.min(30 * DAY_MS, 6 * 3_600_000 * size ** 0.7);
  }
  return plan;
}

/** One day of the year: the items to write, in order, and what they hold. */
export type YearDay = { items: Item[]; articles: number; texts: number; events: number; changes: number };

/** A recently active event, for the figures that ask about one. */
type KnownEvent = { index: number; id: string; word: string; articles: number; lastSeen: number };

/** A generator of the synthetic year, a day at a time; the same shape gives the same items. */
export type YearGenerator = {
  shape: YearShape;
  /** The next day's items (events are written when their last report of the year is). */
  nextDay(): YearDay;
  /** After the last day: the events still open at the year's end, the matcher and fan-out positions. */
  finish(): YearDay;
  /** The theme's change sequence so far. */
  readonly seq: number;
  /** The busiest source's id. */
  busiestSource: string;
  /** The event with most reports among those active in the last `days` days so far. */
  recentEvent(days: number): KnownEvent | null;
  /** An event that started about `daysAgo` before the last written day, with a few reports. */
  eventAround(daysAgo: number): KnownEvent | null;
  /** `count` new reports dated in the hour before the year's end: most join recent events, some open new ones. */
  freshReports(count: number, seed: number): MatchInput[];
};

/** Builds the generator of a year of `shape`. */
export function createYearGenerator(shape: YearShape): YearGenerator {
  const theme = DEFAULT_THEMES.find((entry) => entry.id === YEAR_THEME) as ThemeDefinition;
  const matcher = createThemeMatcher(theme);
  const plan = planEvents(shape);
  const startMs = shape.endMs - shape.days * DAY_MS;
  const open = new Map<number, OpenEvent>();
  const known = new Map<number, KnownEvent>();
  let nextEvent = 0;
  let day = 0;
  let seq = 0;
  let offTemplate: MatchExplanation | null = null;

  const activate = (index: number) => {
    const random = seededRandom((shape.seed * 31 + index * 2_654_435) >>> 0);
    const size = plan.size[index] as number;
    const times = Array.from(
      { length: size },
      () => (plan.start[index] as number) + (plan.spread[index] as number) * random() ** 2,
    )
      .sort((a, b) => a - b)
      .filter((time) => time < shape.endMs);
    if (times.length === 0) return;
    const sources = times.map(() => drawSource(random, shape.sources));
    const copyOf = times.map((_, k) => (k > 0 && random() < shape.copyShare ? Math.floor(random() * k) : -1));
    open.set(index, openEvent(shape.seed, index, times, sources, copyOf));
  };

  const articleOf = (input: MatchInput, source: number, explanation: MatchExplanation): Article => ({
    id: input.id,
    url: `https://wire-${String(source).padStart(3, "0")}.example/${input.id.slice(0, 12)}`,
    guid: null,
    sourceId: input.sourceId,
    sourceTitle: sourceTitle(source),
    title: input.title,
    summary: input.summary,
    text: input.text,
    author: null,
    language: "en",
    publishedAt: input.publishedAt,
    dateInferred: false,
    fetchedAt: new Date(Date.parse(input.publishedAt) + 300_000).toISOString(),
    theme: YEAR_THEME,
    onTheme: explanation.onTheme,
    themeScore: explanation.theme?.score ?? null,
    eventId: explanation.eventId,
    explanation,
    contentHash: input.contentHash,
  });

  const reportInput = (
    id: string,
    source: number,
    time: number,
    words: string[],
    place: string,
    onTheme: boolean,
    seed: number,
  ) => {
    const withText = time >= shape.endMs - shape.textDays * DAY_MS;
    const report = reportText(words, place, onTheme, seed, withText ? 3_000 : 0);
    return {
      input: {
        id,
        sourceId: sourceIdForUrl(sourceUrl(source)),
        title: report.title,
        text: report.text,
        summary: report.summary,
        publishedAt: new Date(time).toISOString(),
        dated: true,
        contentHash: contentHashOf(report.title, report.summary),
      } satisfies MatchInput,
      withText,
    };
  };

  const writeArticle = (out: YearDay, article: Article, withText: boolean) => {
    const items = articleItems(article);
    out.items.push(items.summary);
    out.articles += 1;
    if (withText) {
      out.items.push(items.text);
      out.texts += 1;
    }
  };

  const writeReport = (out: YearDay, event: OpenEvent, k: number) => {
    const original = event.copyOf[k] as number;
    const words = eventWords(event.index);
    const time = event.times[k] as number;
    const source = event.sources[k] as number;
    const id = reportId(shape.seed, event.index, k);
    const textSeed = (shape.seed * 1_000_003 + event.index * 4_099 + (original >= 0 ? original : k)) >>> 0;
    const { input, withText } = reportInput(id, source, time, words, placeOf(event.index), true, textSeed);
    const copyOfId = original >= 0 ? reportId(shape.seed, event.index, original) : null;
    const before = k === 0 ? null : { articleCount: k, sourceCount: event.outlets.size };
    const explanation = reportExplanation(event, k, copyOfId);
    addReport(matcher, event, input, explanation, copyOfId, sourceTitle(source));
    seq += 1;
    event.seq = seq;
    event.next = k + 1;
    writeArticle(out, articleOf(input, source, explanation), withText);
    if (time >= shape.endMs - shape.changeDays * DAY_MS) {
      out.items.push({
        ...keys.change(YEAR_THEME, seq),
        type: ENTITY.change,
        schemaVersion: SCHEMA_VERSION,
        seq,
        eventId: event.id,
        at: input.publishedAt,
        kind: k === 0 ? "created" : "updated",
        articleId: id,
        claimedArticleIds: [],
        before,
        after: { articleCount: k + 1, sourceCount: event.outlets.size },
        [TABLE_SCHEMA.ttlAttribute]: changeLogExpiry(new Date(time)),
      });
      out.changes += 1;
    }
    known.set(event.index, { index: event.index, id: event.id, word: words[0] as string, articles: k + 1, lastSeen: time });
  };

  const writeOffTheme = (out: YearDay, number: number, time: number, random: () => number) => {
    const source = drawSource(random, shape.sources);
    const id = hashId("year-off", String(shape.seed), String(number));
    const { input, withText } = reportInput(id, source, time, [], "", false, (shape.seed * 7 + number * 13) >>> 0);
    if (offTemplate === null) {
      // The real decision on the first off-theme report: every one carries its theme score.
      offTemplate = decideMatch(matcher, prepareArticle(matcher, input));
    }
    writeArticle(
      out,
      articleOf(input, source, { ...offTemplate, onTheme: false, decision: "off-theme", eventId: null }),
      withText,
    );
  };

  const writeEvent = (out: YearDay, event: OpenEvent) => {
    out.items.push(eventToItem(eventStateOf(event)));
    out.events += 1;
  };

  const generator: YearGenerator = {
    shape,
    get seq() {
      return seq;
    },
    busiestSource: sourceIdForUrl(sourceUrl(0)),
    nextDay() {
      const out: YearDay = { items: [], articles: 0, texts: 0, events: 0, changes: 0 };
      const dayEnd = Math.min(shape.endMs, startMs + (day + 1) * DAY_MS);
      while (nextEvent < shape.events && (plan.start[nextEvent] as number) < dayEnd) activate(nextEvent++);
      type Slot = { time: number; event: OpenEvent | null; k: number };
      const slots: Slot[] = [];
      for (const event of open.values()) {
        for (let k = event.next; k < event.times.length && (event.times[k] as number) < dayEnd; k += 1)
          slots.push({ time: event.times[k] as number, event, k });
      }
      const random = seededRandom((shape.seed * 97 + day) >>> 0);
      const offCount = Math.round(shape.articlesPerDay * shape.offThemeShare);
      for (let k = 0; k < offCount; k += 1) slots.push({ time: dayEnd - DAY_MS + random() * DAY_MS, event: null, k });
      slots.sort((a, b) => a.time - b.time);
      for (const slot of slots) {
        if (slot.event === null) writeOffTheme(out, day * offCount + slot.k, slot.time, random);
        else {
          writeReport(out, slot.event, slot.k);
          if (slot.event.next === slot.event.times.length) {
            writeEvent(out, slot.event);
            open.delete(slot.event.index);
          }
        }
      }
      day += 1;
      return out;
    },
    finish() {
      const out: YearDay = { items: [], articles: 0, texts: 0, events: 0, changes: 0 };
      for (const event of open.values()) if (event.next > 0) writeEvent(out, event);
      open.clear();
      const at = new Date(shape.endMs).toISOString();
      out.items.push(
        { ...keys.matcher(YEAR_THEME), type: ENTITY.matcher, schemaVersion: SCHEMA_VERSION, seq, changedAt: at },
        // A deployment's fan-out has turned every change into messages long since.
        { ...keys.fanOut(YEAR_THEME), type: ENTITY.fanOut, schemaVersion: SCHEMA_VERSION, seq },
      );
      return out;
    },
    recentEvent(days) {
      const since = startMs + day * DAY_MS - days * DAY_MS;
      let best: KnownEvent | null = null;
      for (const entry of known.values())
        if (entry.lastSeen >= since && (best === null || entry.articles > best.articles)) best = entry;
      return best;
    },
    eventAround(daysAgo) {
      const target = startMs + day * DAY_MS - daysAgo * DAY_MS;
      let best: KnownEvent | null = null;
      for (const entry of known.values()) {
        if (entry.articles < 3 || entry.articles > 60) continue;
        const distance = Math.abs(entry.lastSeen - target);
        if (best === null || distance < Math.abs(best.lastSeen - target)) best = entry;
      }
      return best;
    },
    freshReports(count, seed) {
      const random = seededRandom(seed);
      const recent = [...known.values()].filter((entry) => entry.lastSeen >= shape.endMs - 3 * DAY_MS);
      return Array.from({ length: count }, (_, n) => {
        const joins = recent.length > 0 && random() < 0.8;
        const index = joins ? (recent[Math.floor(random() * recent.length)] as KnownEvent).index : shape.events + seed + n;
        const time = shape.endMs - 3_600_000 + Math.floor(random() * 3_600_000);
        const id = hashId("year-fresh", String(seed), String(n));
        return reportInput(id, drawSource(random, shape.sources), time, eventWords(index), placeOf(index), true, seed * 13 + n)
          .input;
      });
    },
  };
  return generator;
}
