import { describe, expect, it } from "vitest";
import { parseJavaMajor } from "../../functions/local/java";

describe("parseJavaMajor", () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ["no version here", null],
  ])("reads %j as %s", (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });
});
