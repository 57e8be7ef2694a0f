import { describe, expect, it } from "vitest";
import { itemBytes, itemWriteUnits } from "../../functions/bench/capacity";

describe("the bench's write meter: DynamoDB's sizing rules", () => {
  it("sizes an item by its attribute names and values", () => {
    expect(itemBytes({ pk: "A#1", sk: "B" })).toBe(2 + 3 + 2 + 1);
    expect(itemBytes({ n: 12345 })).toBe(1 + 4);
    expect(itemBytes({ flag: true, none: null })).toBe(4 + 1 + 4 + 1);
    expect(itemBytes({ list: ["ab"] })).toBe(4 + 3 + 1 + 2);
    expect(itemBytes({ map: { k: "v" } })).toBe(3 + 3 + 1 + 1 + 1);
    expect(itemBytes({ set: new Set(["a", "bc"]) })).toBe(3 + 3);
    expect(itemBytes({ text: "é" })).toBe(4 + 2);
  });

  it("bills a unit a KB of the larger version, twice in a transaction", () => {
    const small = { pk: "X", sk: "Y" };
    const big = { pk: "X", sk: "Y", body: "x".repeat(2500) };
    expect(itemWriteUnits(undefined, small, false)).toBe(1);
    expect(itemWriteUnits(undefined, big, false)).toBe(3);
    expect(itemWriteUnits(big, small, false)).toBe(3);
    expect(itemWriteUnits(small, big, true)).toBe(6);
    expect(itemWriteUnits(big, undefined, false)).toBe(3);
  });

  it("adds a write for each global index the item is in, and two when its index key moves", () => {
    const item = { pk: "X", sk: "Y", gsi1pk: "A", gsi1sk: "1", gsi4pk: "E#1", gsi4sk: "t" };
    expect(itemWriteUnits(undefined, item, false)).toBe(3);
    expect(itemWriteUnits(item, { ...item, note: "n" }, false)).toBe(3);
    expect(itemWriteUnits(item, { ...item, gsi4pk: "E#2" }, false)).toBe(4);
    expect(itemWriteUnits(item, { pk: "X", sk: "Y", gsi1pk: "A", gsi1sk: "1" }, true)).toBe(2 + 1 + 1);
  });
});
