import type { EventState } from "./matcher/event";
import { type EventGrowth, growthOfMembers, hourKeyStart } from "./matcher/event-growth";
import { plural } from "./text";

/** One bar of a growth picture: the articles published from `start` for the bar's width. */
export type GrowthBin = { start: string; count: number };

/**
 * An event's growth as bars to draw: per hour while all its articles fall in its first two
 * days, else per day (or per few days, so a long story keeps at most `MAX_BINS` bars).
 */
export type GrowthSeries = {
  unit: "hour" | "day";
  /** Hours or days per bar. */
  width: number;
  bins: GrowthBin[];
  total: number;
  /** The first of the fullest bars. */
  peak: GrowthBin;
  /** The picture in words, for its `<title>` and screen readers. */
  label: string;
};

/** Bars a picture draws at most. */
export const MAX_BINS = 90;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);
const WEEKDAY = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", timeZone: "UTC" });

/** "Tuesday 5 May 2026": a day as a label says it (UTC, the pages' time). */
function spokenDay(iso: string): string {
  return WEEKDAY.format(new Date(iso)).replace(",", "");
}

/** "08:00 UTC on 5 May". */
function spokenHour(iso: string): string {
  return `${iso.slice(11, 16)} UTC on ${DAY.format(new Date(iso))}`;
}

/** Counts (by time) as consecutive bars `step` ms wide from `first` to `last`, empty bars included. */
function fill(counts: Map<number, number>, first: number, last: number, step: number): GrowthBin[] {
  const bins: GrowthBin[] = [];
  for (let start = first; start <= last; start += step) bins.push({ start: new Date(start).toISOString(), count: 0 });
  for (const [time, count] of counts) (bins[Math.floor((time - first) / step)] as GrowthBin).count += count;
  return bins;
}

function describe(series: Omit<GrowthSeries, "label">): string {
  const { unit, width, bins, total, peak } = series;
  const at = (bin: GrowthBin) => (unit === "hour" ? `at ${spokenHour(bin.start)}` : `on ${spokenDay(bin.start)}`);
  if (total === 1) return `1 article, ${at(peak)}`;
  if (bins.length === 1) return `${total} articles, all ${at(peak)}`;
  const span = unit === "hour" ? plural(bins.length, "hour") : plural(bins.length * width, "day");
  const per = unit === "hour" ? "an hour" : width === 1 ? "a day" : `in ${width} days`;
  // "Most on" names one bar only when one bar is the fullest.
  if (bins.filter((bin) => bin.count === peak.count).length > 1)
    return `${total} articles over ${span}, at most ${peak.count} ${per}`;
  const when = unit === "day" && width > 1 ? `in the ${width} days from ${spokenDay(peak.start)}` : at(peak);
  return `${total} articles over ${span}, most ${when} (${peak.count})`;
}

/**
 * The bars of an event's growth, or null when there is nothing to draw: an event stored before
 * growth was kept whose members are only its latest articles.
 */
export function growthSeries(event: Pick<EventState, "growth" | "articleCount" | "firstSeen" | "members">): GrowthSeries | null {
  const growth: EventGrowth | undefined = event.growth ?? growthOfMembers(event);
  if (growth === undefined) return null;
  const dayTotal = sum(growth.days);
  if (dayTotal === 0) return null;
  const hourly = sum(growth.hours) === dayTotal;
  const unit: GrowthSeries["unit"] = hourly ? "hour" : "day";
  const counts = new Map(
    Object.entries(hourly ? growth.hours : growth.days).map(([key, count]) => [
      hourly ? hourKeyStart(key) : Date.parse(`${key}T00:00:00Z`),
      count,
    ]),
  );
  const times = [...counts.keys()];
  const first = Math.min(...times);
  const last = Math.max(...times);
  const step = hourly ? HOUR_MS : DAY_MS;
  // A long story is drawn a few days a bar: never more than MAX_BINS bars.
  const width = hourly ? 1 : Math.max(1, Math.ceil((Math.round((last - first) / DAY_MS) + 1) / MAX_BINS));
  const bins = fill(counts, first, last, step * width);
  const peak = bins.reduce((best, bin) => (bin.count > best.count ? bin : best), bins[0] as GrowthBin);
  const series = { unit, width, bins, total: dayTotal, peak };
  return { ...series, label: describe(series) };
}

const SHORT_DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * What the ends of a growth picture's time axis say: the start of its first bar, and the end of
 * its last hour ("1 May 08:00" to "1 May 11:00") or its last day, inclusive ("1 May" to "3 May").
 */
export function growthAxis(series: GrowthSeries): { from: string; to: string; per: string } {
  const first = Date.parse((series.bins[0] as GrowthBin).start);
  const last = Date.parse((series.bins.at(-1) as GrowthBin).start);
  if (series.unit === "hour") {
    const at = (ms: number) => `${SHORT_DAY.format(ms)} ${new Date(ms).toISOString().slice(11, 16)}`;
    return { from: at(first), to: `${at(last + HOUR_MS)} UTC`, per: "hour" };
  }
  const day = (ms: number) => SHORT_DAY.format(ms);
  const per = series.width === 1 ? "day" : `${series.width} days`;
  return { from: day(first), to: day(last + (series.width - 1) * DAY_MS), per };
}
