/**
 * Zone names a feed date may carry, as offsets from UTC in hours. RFC 822 §5 names UT, GMT, the
 * four North American zones and the military letters (with the signs the readers of the field
 * use, whatever the RFC's misprint); feeds add the generic North American names (AT, ET, CT, MT,
 * PT) and the European ones. A name outside this table is not guessed at: abbreviations such as
 * IST or CST mean different zones in different countries, and a wrong guess moves a story by
 * hours where no date moves it not at all.
 */
const ZONE_HOURS: Readonly<Record<string, number>> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  adt: -3,
  ast: -4,
  at: -4,
  edt: -4,
  est: -5,
  et: -5,
  cdt: -5,
  cst: -6,
  ct: -6,
  mdt: -6,
  mst: -7,
  mt: -7,
  pdt: -7,
  pst: -8,
  pt: -8,
  a: -1,
  n: 1,
  m: -12,
  y: 12,
  wet: 0,
  west: 1,
  bst: 1,
  cet: 1,
  cest: 2,
  met: 1,
  mest: 2,
  eet: 2,
  eest: 3,
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = new Set(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

function monthOf(word: string): number | null {
  const index = MONTHS.indexOf(word.slice(0, 3));
  // "Sept", "June", "December": a month name or its usual abbreviations, nothing else.
  return index >= 0 && /^[a-z]+\.?$/.test(word) ? index + 1 : null;
}

/** Minutes east of UTC for a zone written as a name, "+0200", "-05:00", "GMT+2", "Etc/GMT". */
function zoneMinutes(raw: string): number | null {
  let zone = raw.toLowerCase();
  // The tz database's "Etc/GMT+5" is five hours west of UTC: POSIX signs, the other way round.
  const posix = zone.startsWith("etc/");
  if (posix) zone = zone.slice(4);
  // "GMT+02:00", "UTC-5": an offset written after a name for UTC.
  const named = /^(?:gmt|utc|ut)([+-].*)$/.exec(zone);
  if (named?.[1] !== undefined) zone = named[1];
  const offset = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (offset !== null) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? "0");
    if (hours > 14 || minutes > 59) return null;
    const east = (offset[1] === "-") === posix;
    return (east ? 1 : -1) * (hours * 60 + minutes);
  }
  const hours = ZONE_HOURS[zone];
  return hours === undefined ? null : hours * 60;
}

function twoDigitYear(year: string): number {
  const value = Number(year);
  // As RFC 2822 §4.3 reads obsolete two-digit years.
  if (year.length > 2) return value;
  return value < 50 ? 2000 + value : 1900 + value;
}

/**
 * An RFC 822 / RFC 2822 date as feeds write it: the day name and the seconds optional, day and
 * month in either order, two- or four-digit years, a zone as a number or a name of the table
 * above, none at all meaning UTC. Anything else is no date.
 */
function readRfc822(value: string): number | null {
  const tokens = value
    .toLowerCase()
    .replace(/\([^()]*\)/g, " ")
    .replace(/,/g, " ")
    .split(/\s+/)
    .filter((token) => token !== "");
  if (tokens[0] !== undefined && DAY_NAMES.has(tokens[0].slice(0, 3)) && /^[a-z]+\.?$/.test(tokens[0])) tokens.shift();
  const [first, second, yearText, timeText, ...rest] = tokens;
  if (first === undefined || second === undefined || yearText === undefined) return null;
  let day: number;
  let month: number | null;
  if (/^\d{1,2}$/.test(first)) {
    day = Number(first);
    month = monthOf(second);
  } else if (/^\d{1,2}$/.test(second)) {
    day = Number(second);
    month = monthOf(first);
  } else {
    return null;
  }
  if (month === null || !/^\d{2}$|^\d{4}$/.test(yearText)) return null;
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(timeText ?? "00:00:00");
  if (time === null) return null;
  let zone = 0;
  if (rest.length > 0) {
    // "+0200", "GMT", "GMT +0200", "EST (Eastern)": the comment is already gone.
    const minutes = zoneMinutes(rest.join(""));
    if (minutes === null) {
      const single = rest.length === 1 ? null : zoneMinutes(rest[rest.length - 1] ?? "");
      if (single === null) return null;
      zone = single;
    } else {
      zone = minutes;
    }
  }
  const local = utcTime(twoDigitYear(yearText), month, day, Number(time[1]), Number(time[2]), Number(time[3] ?? "0"), 0);
  return local === null ? null : local - zone * 60_000;
}

/** Epoch milliseconds of a UTC calendar date and time; null when a part is out of range (31 February, 25:00). */
function utcTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number | null {
  if (hour > 23 || minute > 59 || second > 60) return null;
  const time = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  const date = new Date(time);
  // Date.UTC rolls 31 February over into March: a date that does not come back whole is none.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return time;
}

/**
 * ISO 8601 and its W3C profile (what Atom and Dublin Core use): a date alone, a date and time
 * with "T" or a space, fractions, offsets with or without a colon. A time without a zone is UTC,
 * as the readers of the field take it, not the zone of the machine that happens to read it.
 */
function readIso8601(value: string): number | null {
  const match =
    /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:[T ](\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?(?:[.,](\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(
      value,
    );
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const time = utcTime(
    Number(year),
    Number(month ?? "1"),
    Number(day ?? "1"),
    Number(hour ?? "0"),
    Number(minute ?? "0"),
    Number(second ?? "0"),
    Math.round(Number(`0.${fraction ?? "0"}`) * 1000),
  );
  if (time === null) return null;
  // No zone: UTC. Otherwise "Z", "+02", "+0200" or "+02:00".
  const minutes = zone === undefined || zone.toUpperCase() === "Z" ? 0 : zoneMinutes(zone);
  return minutes === null ? null : time - minutes * 60_000;
}

/**
 * Reads a date as feeds write it (RFC 822 and its relatives, ISO 8601 and the W3C profile) and
 * returns its instant in epoch milliseconds, or null when the text is no date: a string that only
 * resembles one ("Sun, Dec x 2012") is refused rather than half-read.
 */
export function readFeedDate(raw: string | undefined | null): number | null {
  const value = raw?.trim() ?? "";
  if (value === "" || value.length > 100) return null;
  return /^\d{4}/.test(value) ? readIso8601(value) : readRfc822(value);
}
