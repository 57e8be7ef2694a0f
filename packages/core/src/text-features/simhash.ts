/** A 64-bit SimHash as two unsigned 32-bit halves (JavaScript has no fast 64-bit integers). */
export type SimHash = readonly [number, number];

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(text: string, seed: number): number {
  let hash = (FNV_OFFSET ^ seed) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  // A final avalanche, so that near-identical strings spread over all bits.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Overlapping runs of `size` terms ("the quick brown", "quick brown fox", …). */
export function shingles(terms: readonly string[], size: number): string[] {
  if (terms.length < size) return terms.length > 0 ? [terms.join(" ")] : [];
  const out: string[] = [];
  for (let index = 0; index + size <= terms.length; index += 1) out.push(terms.slice(index, index + size).join(" "));
  return out;
}

/** Charikar's SimHash of a set of features: texts that share most features differ in few bits. */
export function simhash(features: readonly string[]): SimHash {
  const votes = new Int32Array(64);
  for (const feature of features) {
    const halves = [fnv1a(feature, 0x9e3779b9), fnv1a(feature, 0x7f4a7c15)];
    for (let half = 0; half < 2; half += 1) {
      const bits = halves[half] as number;
      for (let bit = 0; bit < 32; bit += 1) {
        const slot = half * 32 + bit;
        votes[slot] = (votes[slot] as number) + ((bits >>> bit) & 1 ? 1 : -1);
      }
    }
  }
  let high = 0;
  let low = 0;
  for (let bit = 0; bit < 32; bit += 1) {
    if ((votes[bit] as number) > 0) high |= 1 << bit;
    if ((votes[32 + bit] as number) > 0) low |= 1 << bit;
  }
  return [high >>> 0, low >>> 0];
}

function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Bits in which two SimHashes differ (0 to 64). */
export function hammingDistance(a: SimHash, b: SimHash): number {
  return popcount((a[0] ^ b[0]) >>> 0) + popcount((a[1] ^ b[1]) >>> 0);
}

/** A SimHash as 16 hex digits, for storage. */
export function formatSimHash(hash: SimHash): string {
  return hash[0].toString(16).padStart(8, "0") + hash[1].toString(16).padStart(8, "0");
}

/** The SimHash written by formatSimHash; throws on anything else. */
export function parseSimHash(text: string): SimHash {
  if (!/^[0-9a-f]{16}$/.test(text)) throw new Error(`not a SimHash: "${text}"`);
  return [Number.parseInt(text.slice(0, 8), 16), Number.parseInt(text.slice(8), 16)];
}
