import { ENTITY } from "@eventwire/store";
import sax from "sax";
import { describe, expect, it } from "vitest";
import { renderYearChart, shortCount } from "../../functions/bench/year-chart";
import { createYearGenerator, DAY_MS, type YearDay, yearShape } from "../../functions/bench/year-data";

const END = Date.UTC(2026, 11, 7);
type Item = Record<string, unknown>;

/** Every item of a whole (small) year, in the order the generator gives them. */
function wholeYear(scale: number, overrides = {}): { items: Item[]; days: YearDay[] } {
  const generator = createYearGenerator(yearShape(scale, END, overrides));
  const days: YearDay[] = [];
  for (let day = 0; day < generator.shape.days; day += 1) days.push(generator.nextDay());
  days.push(generator.finish());
  return { items: days.flatMap((day) => day.items), days };
}

const ofType = (items: Item[], type: string) => items.filter((item) => item.type === type);

describe("the synthetic year", () => {
  const year = wholeYear(0.002);
  const articles = ofType(year.items, ENTITY.article);
  const events = ofType(year.items, ENTITY.event);

  it("is the same for the same shape and seed, and another for another seed", () => {
    const again = wholeYear(0.002);
    expect(again.items.length).toBe(year.items.length);
    expect(JSON.stringify(again.items.slice(0, 300))).toBe(JSON.stringify(year.items.slice(0, 300)));
    expect(ofType(again.items, ENTITY.event).map((item) => item.id)).toEqual(events.map((item) => item.id));
    const other = wholeYear(0.002, { seed: 18 });
    expect(ofType(other.items, ENTITY.event).map((item) => item.id)).not.toEqual(events.map((item) => item.id));
  });

  it("has the year's shape: reports a day, an off-theme share, heavy-tailed events, all within the year", () => {
    // 10 reports a day off- and on-theme (the on-theme ones from the events' sizes), 200 events.
    expect(articles.length).toBeGreaterThan(365 * 10 * 0.6);
    expect(articles.length).toBeLessThan(365 * 10 * 1.6);
    const offTheme = articles.filter((item) => item.onTheme === false).length / articles.length;
    expect(offTheme).toBeGreaterThan(0.08);
    expect(offTheme).toBeLessThan(0.25);
    expect(events.length).toBeGreaterThan(180);
    expect(events.length).toBeLessThanOrEqual(200);
    const sizes = events.map((item) => Number(item.articleCount)).sort((a, b) => a - b);
    const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
    // Heavy-tailed: the biggest is many times the median.
    expect(sizes.at(-1) as number).toBeGreaterThan(4 * (sizes[Math.floor(sizes.length / 2)] as number));
    expect(mean).toBeGreaterThan(8);
    expect(mean).toBeLessThan(30);
    for (const item of articles) {
      const time = Date.parse(String(item.publishedAt));
      expect(time).toBeLessThan(END);
      expect(time).toBeGreaterThanOrEqual(END - 365 * DAY_MS);
    }
  });

  it("writes articles as the store does, each on-theme one naming its event, whose word is in its title", () => {
    const byId = new Map(events.map((item) => [item.id, item]));
    for (const item of articles.slice(0, 500)) {
      expect(item.pk).toBe(`ARTICLE#${item.id}`);
      expect(String(item.title).length).toBeLessThanOrEqual(70);
      expect(String(item.summary).length).toBeGreaterThan(150);
      expect(String(item.summary).length).toBeLessThanOrEqual(300);
      if (item.onTheme === true) {
        expect(byId.has(item.eventId)).toBe(true);
        expect(item.gsi4pk).toBe(`EVENT#${item.eventId}`);
      } else expect(item.eventId).toBeNull();
    }
    // An event's articles all share its first own word, in their titles.
    const first = events[0] as Item;
    const members = articles.filter((item) => item.eventId === first.id);
    const word = String(members[0]?.title).split(" ")[0] as string;
    for (const item of members) expect(String(item.title).startsWith(`${word} `)).toBe(true);
    expect(members.length).toBe(Number(first.articleCount));
  });

  it("keeps full texts and change items for the recent days only, and numbers every change", () => {
    const texts = ofType(year.items, ENTITY.articleText);
    const recent = articles.filter((item) => Date.parse(String(item.publishedAt)) >= END - 60 * DAY_MS);
    expect(texts.length).toBe(recent.length);
    for (const text of texts) expect(String(text.text).length).toBeGreaterThan(2_500);
    const changes = ofType(year.items, ENTITY.change);
    expect(changes.length).toBe(recent.filter((item) => item.onTheme === true).length);
    const matcher = ofType(year.items, ENTITY.matcher)[0] as Item;
    expect(matcher.seq).toBe(articles.filter((item) => item.onTheme === true).length);
    expect(changes.at(-1)?.seq).toBe(matcher.seq);
  });
});

describe("the year's chart", () => {
  const svg = renderYearChart({
    title: "A year <of> news & more",
    matcher: [{ name: "µs", colour: "#123456", points: [100, 1_000, 10_000, 100_000].map((x, i) => ({ x, y: 10 + i })) }],
    api: [
      {
        name: "events?q=a&b",
        colour: "#654321",
        points: [
          { x: 1_000, y: 20 },
          { x: 1_800_000, y: 25 },
        ],
      },
      { name: "empty", colour: "#000000", points: [] },
    ],
  });

  it("is well-formed XML with a line per series that has points, and escapes its text", () => {
    const names: string[] = [];
    // A strict parser: any markup that is not well-formed XML throws.
    const parser = sax.parser(true);
    parser.onerror = (error) => {
      throw error;
    };
    parser.onopentag = (tag) => names.push(tag.name);
    parser.write(svg).close();
    expect(names[0]).toBe("svg");
    expect(names.filter((name) => name === "polyline")).toHaveLength(2);
    expect(names.filter((name) => name === "circle")).toHaveLength(6);
    expect(svg).toContain("A year &lt;of&gt; news &amp; more");
    expect(svg).toContain("events?q=a&amp;b");
  });

  it("labels counts shortly", () => {
    expect(shortCount(100)).toBe("100");
    expect(shortCount(1_000)).toBe("1k");
    expect(shortCount(100_000)).toBe("100k");
    expect(shortCount(1_800_000)).toBe("1.8M");
  });
});
