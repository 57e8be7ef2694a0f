import { DateTime } from "luxon";

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
  const local = DateTime.fromObject(
    {
      year: twoDigitYear(yearText),
      month,
      day,
      hour: Number(time[1]),
      minute: Number(time[2]),
      second: Number(time[3] ?? "0"),
    },
    { zone: "utc" },
  );
  return local.isValid ? local.toMillis() - zone * 60_000 : null;
}

/**
 * ISO 8601 and its W3C profile (what Atom and Dublin Core use): a date alone, a date and time
 * with "T" or a space, fractions, offsets with or without a colon. A time without a zone is UTC,
 * as the readers of the field take it, not the zone of the machine that happens to read it.
 */
function readIso8601(value: string): number | null {
  if (!/^\d{4}(?:-?\d{2}){0,2}(?:[T ]\d{1,2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.test(value)) {
    return null;
  }
  const normalized = value
    .replace(" ", "T")
    .replace(/\s+(?=[Z+-][\d:]*$)/i, "")
    .replace(",", ".");
  // A one-digit hour ("2003-12-31T4:00:00Z") is padded: luxon reads only two.
  const padded = normalized.replace(/T(\d)(?=\D|$)/, "T0$1");
  const parsed = DateTime.fromISO(padded, { zone: "utc", setZone: false });
  return parsed.isValid ? parsed.toMillis() : null;
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
