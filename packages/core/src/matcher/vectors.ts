import type { EntityCounts, EntityType } from "../text-features/entities";
import type { TermWeights } from "./event";

/** Sublinear term weights (1 + ln tf) scaled to unit length: every article weighs the same. */
export function unitWeights(counts: Map<string, number>): TermWeights {
  const weights: TermWeights = new Map();
  let norm = 0;
  for (const [term, count] of counts) {
    const weight = 1 + Math.log(count);
    weights.set(term, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [term, weight] of weights) weights.set(term, weight / norm);
  return weights;
}

/** Entity weights, like unitWeights, keeping each entity's type. */
export function unitEntityWeights(entities: EntityCounts): Map<string, { type: EntityType; weight: number }> {
  const counts = new Map<string, number>();
  for (const [key, mention] of entities) counts.set(key, mention.count);
  const weights = unitWeights(counts);
  const out = new Map<string, { type: EntityType; weight: number }>();
  for (const [key, mention] of entities) out.set(key, { type: mention.type, weight: weights.get(key) ?? 0 });
  return out;
}

/**
 * Cosine of two weight vectors with each term further weighted by `idf` (squared in the dot
 * product, once per side). 0 when either side is empty.
 */
export function idfCosine(a: TermWeights, b: TermWeights, idf: (term: string) => number): number {
  if (a.size === 0 || b.size === 0) return 0;
  const dot = idfDot(a, b, idf);
  return dot === 0 ? 0 : dot / (idfNorm(a, idf) * idfNorm(b, idf));
}

/** The IDF-weighted dot product of two weight vectors (the numerator of idfCosine). */
export function idfDot(a: TermWeights, b: TermWeights, idf: (term: string) => number): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, weight] of small) {
    const other = large.get(term);
    if (other !== undefined) {
      const w = idf(term);
      dot += weight * other * w * w;
    }
  }
  return dot;
}

/** The IDF-weighted length of a weight vector. */
export function idfNorm(vector: TermWeights, idf: (term: string) => number): number {
  let sum = 0;
  for (const [term, weight] of vector) {
    const w = weight * idf(term);
    sum += w * w;
  }
  return Math.sqrt(sum);
}

/** (old × mass + added) / (mass + 1): the running mean of unit vectors. */
export function blendWeights(old: TermWeights, mass: number, added: TermWeights): TermWeights {
  const out: TermWeights = new Map();
  for (const [term, weight] of old) out.set(term, (weight * mass) / (mass + 1));
  for (const [term, weight] of added) out.set(term, (out.get(term) ?? 0) + weight / (mass + 1));
  return out;
}
