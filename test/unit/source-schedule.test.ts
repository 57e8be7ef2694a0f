import { createSource, isSourceDue, nextPollAfterFailure, nextPollAfterSuccess, POLL_POLICY } from "@eventwire/core";
import { describe, expect, it } from "vitest";

const now = new Date("2026-05-04T10:00:00Z");

function source(intervalSeconds = 300) {
  const result = createSource({ url: "https://feeds.example/a.xml?utm_source=x", intervalSeconds }, now);
  if (!result.ok) throw new Error(result.reason);
  return result.source;
}

describe("createSource", () => {
  it("canonicalises the URL, derives a stable id and is due at once", () => {
    const a = source();
    expect(a.url).toBe("https://feeds.example/a.xml");
    const sameFeed = createSource({ url: "https://FEEDS.example/a.xml#top" }, now);
    expect(sameFeed.ok && sameFeed.source.id).toBe(a.id);
    expect(isSourceDue(a, now)).toBe(true);
  });

  it.each([["ftp://feeds.example/x"], ["not a url"], [""]])("refuses %j", (url) => {
    const result = createSource({ url }, now);
    expect(result.ok).toBe(false);
  });

  it("refuses an interval out of bounds", () => {
    const result = createSource({ url: "https://feeds.example/x", intervalSeconds: 1 }, now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain("intervalSeconds");
  });
});

describe("polling schedule", () => {
  it("polls again within the interval after a success, never later", () => {
    for (const random of [0, 0.5, 0.999]) {
      const next = Date.parse(nextPollAfterSuccess(source(300), now, () => random));
      expect(next).toBeGreaterThan(now.getTime() + 300_000 * (1 - POLL_POLICY.jitter) - 1);
      expect(next).toBeLessThanOrEqual(now.getTime() + 300_000);
    }
  });

  it("backs off exponentially after failures, up to a cap", () => {
    const waits = [1, 2, 3, 10, 50].map(
      (failures) => Date.parse(nextPollAfterFailure(source(300), failures, now, () => 0)) - now.getTime(),
    );
    expect(waits.slice(0, 3)).toEqual([300_000, 600_000, 1_200_000]);
    expect(waits[3]).toBe(POLL_POLICY.maxBackoffSeconds * 1000);
    expect(waits[4]).toBe(POLL_POLICY.maxBackoffSeconds * 1000);
  });

  it("does not poll a disabled source", () => {
    expect(isSourceDue({ ...source(), enabled: false }, now)).toBe(false);
  });
});
