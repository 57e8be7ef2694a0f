import { acceptQuality, prefersJson } from "@eventwire/core";
import { describe, expect, it } from "vitest";

const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

describe("prefersJson", () => {
  it.each([
    ["application/json", true],
    ["application/json, text/plain, */*", true],
    ["text/html;q=0.5, application/json", true],
    ["application/*", true],
    ["text/html;q=0, */*", true],
    [undefined, false],
    ["", false],
    ["*/*", false],
    ["text/html", false],
    [BROWSER, false],
    ["application/json;q=0.5, text/html", false],
    ["application/json, text/html", false],
    ["application/json;q=0", false],
    ["text/plain", false],
  ] as const)("Accept: %s -> %s", (accept, expected) => {
    expect(prefersJson(accept)).toBe(expected);
  });
});

describe("acceptQuality", () => {
  it.each([
    ["application/json;q=0.3, */*;q=0.9", "application/json", 0.3],
    ["application/*;q=0.4, */*;q=0.9", "application/json", 0.4],
    ["*/*;q=0.9", "text/html", 0.9],
    ["text/plain", "text/html", 0],
    ["text/html;q=abc", "text/html", 0],
  ] as const)("%s rates %s at %s", (accept, type, q) => {
    expect(acceptQuality(accept, type)).toBe(q);
  });
});
