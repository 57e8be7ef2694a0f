import { addToGrowth, type EventGrowth, type GrowthSeries, growthSeries } from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { GrowthChart, growthBars } from "../../packages/api/src/pages/growth-chart";

const START = "2026-05-01T08:00:00Z";
const at = (hours: number) => new Date(Date.parse(START) + hours * 3_600_000).toISOString();

/** The series of articles published `hours` after START. */
function seriesOf(hours: readonly number[]): GrowthSeries {
  let growth: EventGrowth | undefined;
  for (const hour of hours) growth = addToGrowth(growth, at(hour), START);
  return growthSeries({ growth, articleCount: hours.length, firstSeen: START, members: [] }) as GrowthSeries;
}

const render = async (series: GrowthSeries, size: "small" | "large") => String(await GrowthChart({ series, size })?.toString());
const attributes = (svg: string, name: string) =>
  [...svg.matchAll(new RegExp(`<rect [^>]*${name}="([^"]+)"`, "g"))].map((m) => Number(m[1]));

describe("the growth picture", () => {
  // 4 articles in the first hour, 2 in the third, 1 in the fourth: bars of 4, 0, 2, 1.
  const series = seriesOf([0, 0.1, 0.2, 0.3, 2, 2.5, 3]);

  it("scales its bars to the fullest and draws no bar for an empty hour", () => {
    const bars = growthBars(series, 120, 28, 8);
    expect(bars.map((bar) => bar.bin.count)).toEqual([4, 2, 1]);
    expect(bars.map((bar) => bar.height)).toEqual([27, 13.5, 6.75]);
    expect(bars.every((bar) => bar.y + bar.height === 28)).toBe(true);
    // Four slots of 30: each bar at most 8 wide, centred in its slot.
    expect(bars.map((bar) => bar.x)).toEqual([11, 71, 101]);
    expect(bars.every((bar) => bar.width === 8)).toBe(true);
  });

  it("keeps a bar of one article visible beside a much fuller one", () => {
    const bars = growthBars(seriesOf([...Array.from({ length: 500 }, () => 0), 1]), 120, 28, 8);
    expect(bars[1]?.height).toBe(1.5);
  });

  it("is a small inline SVG in a listing, with its words as title and label", async () => {
    const svg = await render(series, "small");
    expect(svg).toMatch(
      /^<svg class="growth growth-small" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 120 28" width="120" height="28"/,
    );
    expect(svg).toContain('role="img" aria-label="7 articles over 4 hours, most at 08:00 UTC on 1 May (4)"');
    expect(svg).toContain("<title>7 articles over 4 hours, most at 08:00 UTC on 1 May (4)</title>");
    expect(attributes(svg, "height")).toEqual([27, 13.5, 6.75]);
    // No bar titles in a listing: the page stays light.
    expect(svg.match(/<title>/g)).toHaveLength(1);
  });

  it("is larger on an event's page, with its time axis, a caption and each bar's count", async () => {
    const figure = await render(series, "large");
    expect(figure).toMatch(/^<figure class="growth-figure"><svg class="growth growth-large" [^>]*viewBox="0 0 640 160"/);
    expect(figure).not.toMatch(/<svg[^>]* width=/);
    expect(figure).toContain(
      '<div class="growth-axis" aria-hidden="true"><span>1 May 08:00</span><span>1 May 12:00 UTC</span></div>',
    );
    expect(figure).toContain(
      "<figcaption>7 articles over 4 hours, most at 08:00 UTC on 1 May (4). One bar per hour (UTC); the tallest stands for 4 articles.</figcaption>",
    );
    expect(figure).toContain("<title>2 articles, 1 May 2026 10:00 UTC</title>");
    expect(attributes(figure, "height")).toEqual([159, 79.5, 39.75]);
  });

  it("carries no script, no event handler and no style attribute (the page's policy allows none)", async () => {
    for (const size of ["small", "large"] as const) {
      const markup = await render(seriesOf([0, 30, 100]), size);
      expect(markup).not.toMatch(/<script|\son\w+=|\sstyle=/i);
    }
  });
});
