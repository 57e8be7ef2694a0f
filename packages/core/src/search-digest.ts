import { createHash } from "node:crypto";
import { contentTerms } from "./text-features/tokens";

/**
 * The search index's time buckets and the rules for articles written into closed ones. A
 * digest summarises the search terms of the articles published in a bucket (a slot of
 * `slotMinutes`, or a UTC day); the listing skips the buckets whose digest lacks a term.
 */
export const SEARCH_INDEX = {
  /**
   * Minutes a slot covers; a day holds a whole number of them. A slot that may hold a match is
   * read whole: at 5,000 articles a day, 5 minutes are about 17 articles and a digest of under a KB
   * (one write unit); 15 would read three times as many articles per match found.
   */
  slotMinutes: 5,
  /** A bucket is digested once it ended this long ago, so articles of its time have arrived. */
  closedAfterMinutes: 120,
  /**
   * An article written this long after its publication time may fall into a digested bucket:
   * its writer leaves a late mark (less than `closedAfterMinutes`, the margin covering clock
   * skew between writers, a slow write and the index's replication lag).
   */
  lateAfterMinutes: 90,
  /** The share of absent terms a digest may wrongly say present. */
  falsePositiveRate: 0.01,
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const SLOT_MS = SEARCH_INDEX.slotMinutes * MINUTE_MS;

/** A bucket of publication time, `[start, end)` as ISO times. */
export type TimeBucket = { start: string; end: string };

/** The slot or day (`level`) that holds an instant (epoch milliseconds). */
export function bucketOf(level: "slot" | "day", ms: number): TimeBucket {
  const size = level === "slot" ? SLOT_MS : DAY_MS;
  const start = Math.floor(ms / size) * size;
  return { start: new Date(start).toISOString(), end: new Date(start + size).toISOString() };
}

/** Whether an article published at `publishedAt` and written at `writtenAt` needs a late mark. */
export function isLateWrite(publishedAt: string, writtenAt: string): boolean {
  return Date.parse(publishedAt) < Date.parse(writtenAt) - SEARCH_INDEX.lateAfterMinutes * MINUTE_MS;
}

/** The end of the newest bucket that may be digested at `now` (buckets ending at or before it are closed). */
export function closedBefore(now: Date): number {
  return now.getTime() - SEARCH_INDEX.closedAfterMinutes * MINUTE_MS;
}

/** The terms a search can find an article by: those of its title and its summary (see `articleMatchesFilter`). */
export function articleSearchTerms(article: { title: string; summary: string }): string[] {
  return [...new Set([...contentTerms(article.title), ...contentTerms(article.summary)])];
}

/**
 * A Bloom filter of search terms: `bits` (a bit array, byte 0's lowest bit first), `hashes`
 * probes a term, by double hashing of SHA-256 (Kirsch and Mitzenmacher), so the stored format
 * depends on nothing but this file.
 */
export type TermDigest = { bits: Uint8Array; hashes: number };

/** The bits and probes that keep `terms` distinct terms under `falsePositiveRate`. */
function sizeFor(terms: number, rate: number): { bytes: number; hashes: number } {
  const n = Math.max(1, terms);
  const bits = Math.ceil((-n * Math.log(rate)) / Math.LN2 ** 2);
  const bytes = Math.max(8, Math.ceil(bits / 8));
  const hashes = Math.min(16, Math.max(1, Math.round(((bytes * 8) / n) * Math.LN2)));
  return { bytes, hashes };
}

function probes(term: string, digest: TermDigest): number[] {
  const hash = createHash("sha256").update(term).digest();
  const first = hash.readUInt32LE(0);
  // Odd, so the probes of one term never repeat a position modulo a power of two.
  const step = (hash.readUInt32LE(4) | 1) >>> 0;
  const size = digest.bits.length * 8;
  const positions: number[] = [];
  for (let probe = 0; probe < digest.hashes; probe += 1) positions.push((first + probe * step) % size);
  return positions;
}

/** Adds terms to a digest in place (a late article's; its false-positive rate then rises a little). */
export function addToDigest(digest: TermDigest, terms: Iterable<string>): void {
  for (const term of terms) {
    for (const position of probes(term, digest))
      digest.bits[position >> 3] = (digest.bits[position >> 3] ?? 0) | (1 << (position & 7));
  }
}

/** A digest of these terms, sized for them at `SEARCH_INDEX.falsePositiveRate`. */
export function createDigest(terms: ReadonlySet<string>, rate: number = SEARCH_INDEX.falsePositiveRate): TermDigest {
  const size = sizeFor(terms.size, rate);
  const digest = { bits: new Uint8Array(size.bytes), hashes: size.hashes };
  addToDigest(digest, terms);
  return digest;
}

/** False when some term surely is in none of the digested articles; true when every one may be. */
export function digestMayHold(digest: TermDigest, terms: readonly string[]): boolean {
  return terms.every((term) =>
    probes(term, digest).every((position) => ((digest.bits[position >> 3] ?? 0) & (1 << (position & 7))) !== 0),
  );
}
