/**
 * How an event grew: its articles counted per UTC hour over its first two days (`hours`, keyed
 * "2026-05-01T08", from the hour of its first report) and per UTC day (`days`, keyed
 * "2026-05-01", the latest `GROWTH_LIMITS.days` days that had any). Counts by time, not by
 * arrival: replaying an event's articles in any order gives the same growth.
 */
export type EventGrowth = { hours: Record<string, number>; days: Record<string, number> };

/** Bounds on an event's growth, so its item stays small however long the story runs. */
export const GROWTH_LIMITS = { hours: 48, days: 366 } as const;

const HOUR_MS = 3_600_000;

/** A time as stored (UTC, ISO 8601): its hour is its first 13 characters. */
const UTC_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z$/;

/** The UTC hour of a time as a growth key ("2026-05-01T08"); null for a time that does not parse. */
function hourKey(time: string | number): string | null {
  // Stored times are already UTC ISO strings: no parsing or formatting on the matcher's path.
  if (typeof time === "string" && UTC_ISO.test(time)) return time.slice(0, 13);
  const ms = typeof time === "number" ? time : Date.parse(time);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 13);
}

/** The start of an hour key, in milliseconds. */
export function hourKeyStart(key: string): number {
  return Date.parse(`${key}:00:00Z`);
}

/** The last window's end, by its start: an event's first report rarely moves. */
let lastWindow = { first: "", end: "" };

/** The hour key two days after `first`, where an event's hourly window ends. */
function windowEnd(first: string): string {
  if (lastWindow.first !== first)
    lastWindow = { first, end: hourKey(hourKeyStart(first) + GROWTH_LIMITS.hours * HOUR_MS) as string };
  return lastWindow.end;
}

/**
 * The growth after one more article published at `publishedAt`, the event's first report now
 * being `firstSeen` (the earlier of the two). An earlier first report moves the two-day window
 * back: hours past its new end go (their articles are still in `days`), and every article inside
 * it was inside the old window too, so nothing is missing.
 */
export function addToGrowth(previous: EventGrowth | undefined, publishedAt: string, firstSeen: string): EventGrowth {
  const hour = hourKey(publishedAt);
  const first = hourKey(firstSeen);
  if (hour === null || first === null) return previous ?? { hours: {}, days: {} };
  // Hour keys sort as their times do: the window is compared as text, nothing parsed per key.
  const end = windowEnd(first);
  const inWindow = (key: string) => key >= first && key < end;
  let hours = previous?.hours ?? {};
  // Copied only when the window moved past some of them, or this article falls inside it.
  if (Object.keys(hours).some((key) => !inWindow(key)))
    hours = Object.fromEntries(Object.entries(hours).filter(([key]) => inWindow(key)));
  if (inWindow(hour)) hours = { ...hours, [hour]: (hours[hour] ?? 0) + 1 };

  const day = hour.slice(0, 10);
  const seen = previous?.days[day];
  const days: Record<string, number> = { ...previous?.days, [day]: (seen ?? 0) + 1 };
  // The oldest day goes: the set kept is the latest days whatever the order articles came in.
  if (seen === undefined) {
    const keys = Object.keys(days);
    if (keys.length > GROWTH_LIMITS.days) delete days[keys.sort()[0] as string];
  }
  return { hours, days };
}

/**
 * The growth an event's members give, for an event stored before growth was kept: exact when
 * the members are all its articles, else undefined (the members are only the latest ones).
 */
export function growthOfMembers(event: {
  articleCount: number;
  firstSeen: string;
  members: readonly { publishedAt: string }[];
}): EventGrowth | undefined {
  if (event.members.length === 0 || event.members.length < event.articleCount) return undefined;
  let growth: EventGrowth | undefined;
  for (const member of event.members) growth = addToGrowth(growth, member.publishedAt, event.firstSeen);
  return growth;
}
