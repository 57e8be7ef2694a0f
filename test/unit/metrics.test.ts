import { bcubed, binaryPrf, nmi, pairwise } from "@eventwire/core";
import { describe, expect, it } from "vitest";

// Five items: gold classes A A A B B, predicted clusters 1 1 2 2 2. Worked by hand:
// BCubed precision per item 1, 1, 1/3, 2/3, 2/3 and recall 2/3, 2/3, 1/3, 1, 1 → both 11/15.
// Pairwise: predicted pairs 1 + 3 = 4, gold pairs 3 + 1 = 4, shared 1 + 1 = 2 → 0.5 and 0.5.
// NMI: I = 0.4 ln(1/0.6) + 0.2 ln(0.2/0.36) + 0.4 ln(1/0.6) = 0.29111; H = 0.67301 on both sides.
const gold = ["A", "A", "A", "B", "B"];
const predicted = ["1", "1", "2", "2", "2"];

describe("clustering metrics", () => {
  it("BCubed, worked by hand", () => {
    const result = bcubed(gold, predicted);
    expect(result.p).toBeCloseTo(11 / 15, 10);
    expect(result.r).toBeCloseTo(11 / 15, 10);
    expect(result.f1).toBeCloseTo(11 / 15, 10);
  });

  it("pairwise, worked by hand", () => {
    expect(pairwise(gold, predicted)).toEqual({ p: 0.5, r: 0.5, f1: 0.5 });
  });

  it("NMI, worked by hand (square-root normalisation)", () => {
    expect(nmi(gold, predicted)).toBeCloseTo(0.29111 / 0.67301, 4);
  });

  it("scores a perfect clustering 1 whatever the labels are called", () => {
    const renamed = ["x", "x", "x", "y", "y"];
    expect(bcubed(gold, renamed)).toEqual({ p: 1, r: 1, f1: 1 });
    expect(pairwise(gold, renamed)).toEqual({ p: 1, r: 1, f1: 1 });
    expect(nmi(gold, renamed)).toBeCloseTo(1, 12);
  });

  it("scores all-singletons as precise but without recall", () => {
    const singletons = ["1", "2", "3", "4", "5"];
    expect(bcubed(gold, singletons)).toMatchObject({ p: 1, r: (1 / 3) * 0.6 + 0.5 * 0.4 });
    expect(pairwise(gold, singletons)).toEqual({ p: 0, r: 0, f1: 0 });
  });

  it("refuses label lists of different lengths", () => {
    expect(() => bcubed(["A"], ["1", "2"])).toThrow(/differ in length/);
  });
});

describe("binaryPrf", () => {
  it("counts hits, false alarms and misses", () => {
    const result = binaryPrf([true, true, false, false, true], [true, false, true, false, true]);
    expect(result.p).toBeCloseTo(2 / 3, 10);
    expect(result.r).toBeCloseTo(2 / 3, 10);
  });
});
