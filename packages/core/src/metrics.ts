/** Precision, recall and their harmonic mean. */
export type PRF = { p: number; r: number; f1: number };

function prf(p: number, r: number): PRF {
  return { p, r, f1: p + r === 0 ? 0 : (2 * p * r) / (p + r) };
}

type Contingency = { cells: Map<string, number>; gold: Map<string, number>; predicted: Map<string, number>; n: number };

function contingency(gold: readonly string[], predicted: readonly string[]): Contingency {
  if (gold.length !== predicted.length) throw new Error(`label lists differ in length (${gold.length} vs ${predicted.length})`);
  const cells = new Map<string, number>();
  const goldSizes = new Map<string, number>();
  const predictedSizes = new Map<string, number>();
  for (let index = 0; index < gold.length; index += 1) {
    const g = gold[index] as string;
    const k = predicted[index] as string;
    const cell = `${g}\u0000${k}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    goldSizes.set(g, (goldSizes.get(g) ?? 0) + 1);
    predictedSizes.set(k, (predictedSizes.get(k) ?? 0) + 1);
  }
  return { cells, gold: goldSizes, predicted: predictedSizes, n: gold.length };
}

/**
 * BCubed precision and recall (Bagga and Baldwin): for each item, the share of its predicted
 * cluster that shares its gold class, and the share of its gold class that shares its cluster.
 * `gold[i]` and `predicted[i]` label item i.
 */
export function bcubed(gold: readonly string[], predicted: readonly string[]): PRF {
  const { cells, gold: goldSizes, predicted: predictedSizes, n } = contingency(gold, predicted);
  if (n === 0) return prf(0, 0);
  let precision = 0;
  let recall = 0;
  for (const [cell, count] of cells) {
    const [g = "", k = ""] = cell.split("\u0000");
    // Each of the `count` items in this cell scores count/|cluster| and count/|class|.
    precision += (count * count) / (predictedSizes.get(k) as number);
    recall += (count * count) / (goldSizes.get(g) as number);
  }
  return prf(precision / n, recall / n);
}

const pairs = (size: number) => (size * (size - 1)) / 2;

/** Pairwise precision and recall over all pairs of items (the measure of Miranda et al., 2018). */
export function pairwise(gold: readonly string[], predicted: readonly string[]): PRF {
  const { cells, gold: goldSizes, predicted: predictedSizes } = contingency(gold, predicted);
  let together = 0;
  for (const count of cells.values()) together += pairs(count);
  let predictedPairs = 0;
  for (const size of predictedSizes.values()) predictedPairs += pairs(size);
  let goldPairs = 0;
  for (const size of goldSizes.values()) goldPairs += pairs(size);
  return prf(predictedPairs === 0 ? 0 : together / predictedPairs, goldPairs === 0 ? 0 : together / goldPairs);
}

/**
 * Normalised mutual information, I(gold; predicted) / sqrt(H(gold) · H(predicted)) — the
 * normalisation of the MStream and GSDMM papers. 1 when both are a single cluster.
 */
export function nmi(gold: readonly string[], predicted: readonly string[]): number {
  const { cells, gold: goldSizes, predicted: predictedSizes, n } = contingency(gold, predicted);
  if (n === 0) return 0;
  let mutual = 0;
  for (const [cell, count] of cells) {
    const [g = "", k = ""] = cell.split("\u0000");
    mutual += (count / n) * Math.log((n * count) / ((goldSizes.get(g) as number) * (predictedSizes.get(k) as number)));
  }
  const entropy = (sizes: Map<string, number>) => {
    let h = 0;
    for (const size of sizes.values()) h -= (size / n) * Math.log(size / n);
    return h;
  };
  const hGold = entropy(goldSizes);
  const hPredicted = entropy(predictedSizes);
  if (hGold === 0 && hPredicted === 0) return 1;
  if (hGold === 0 || hPredicted === 0) return 0;
  return mutual / Math.sqrt(hGold * hPredicted);
}

/** Precision, recall and F1 of a yes/no prediction. */
export function binaryPrf(actual: readonly boolean[], predicted: readonly boolean[]): PRF {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let index = 0; index < actual.length; index += 1) {
    if (predicted[index] && actual[index]) tp += 1;
    else if (predicted[index]) fp += 1;
    else if (actual[index]) fn += 1;
  }
  return prf(tp + fp === 0 ? 0 : tp / (tp + fp), tp + fn === 0 ? 0 : tp / (tp + fn));
}
