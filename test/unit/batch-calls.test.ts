import { describe, expect, it } from "vitest";
import { batchCalls } from "../../packages/store/src/batch-calls";

describe("batched calls", () => {
  it("writes the calls of one turn together, one output each, in order", async () => {
    const writes: number[][] = [];
    const call = batchCalls(
      async (inputs: number[]) => {
        writes.push(inputs);
        return inputs.map((input) => input * 10);
      },
      { max: 10, inFlight: 1 },
    );
    expect(await Promise.all([call(1), call(2), call(3)])).toEqual([10, 20, 30]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it("writes each call of a failed batch alone, so only the input that fails by itself is refused", async () => {
    const writes: number[][] = [];
    const call = batchCalls(
      async (inputs: number[]) => {
        writes.push(inputs);
        if (inputs.includes(2)) throw new Error("refused: 2");
        return inputs.map((input) => input * 10);
      },
      { max: 10, inFlight: 1 },
    );
    const results = await Promise.allSettled([call(1), call(2), call(3)]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(results[0]).toMatchObject({ value: 10 });
    expect(results[1]).toMatchObject({ reason: new Error("refused: 2") });
    expect(writes).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
