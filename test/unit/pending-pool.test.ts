import {
  addPending,
  addPendingAll,
  createThemeMatcher,
  DEFAULT_THEMES,
  PENDING_LIMITS,
  type PreparedArticle,
  seededRandom,
  type ThemeDefinition,
} from "@eventwire/core";
import { describe, expect, it } from "vitest";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-03-01T00:00:00Z");

/** What the pool reads of an article: its time and id. */
const pooled = (id: string, time: number) => ({ input: { id }, vectors: { time } }) as unknown as PreparedArticle;

const matcher = () => createThemeMatcher(DEFAULT_THEMES[0] as ThemeDefinition);

/** The pool's ids after adding `list` one by one, and after adding it at once, from the same start. */
function both(list: PreparedArticle[], start: PreparedArticle[] = []) {
  const one = matcher();
  const all = matcher();
  one.pending = [...start];
  all.pending = [...start];
  for (const entry of list) addPending(one, entry);
  addPendingAll(all, list);
  return { one: one.pending.map((entry) => entry.input.id), all: all.pending.map((entry) => entry.input.id) };
}

describe("filling the pending pool at once", () => {
  it("keeps what adding one by one keeps: the newest within the window and the size, for a cold start's list in time order", () => {
    // 5,000 articles an hour apart cover far more than the window; 3,000 a minute apart more than the size.
    const sparse = Array.from({ length: 5_000 }, (_, n) => pooled(`s${n}`, T0 + n * HOUR));
    const dense = Array.from({ length: 3_000 }, (_, n) => pooled(`d${n}`, T0 + n * 60_000));
    for (const list of [sparse, dense, dense.slice(0, 10), []]) {
      const { one, all } = both(list);
      expect(all).toEqual(one);
    }
    expect(both(sparse).all).toHaveLength(PENDING_LIMITS.windowDays * 24 + 1);
    expect(both(dense).all).toHaveLength(PENDING_LIMITS.size);
  });

  it("adds one by one what is out of order, repeats an id, or joins a pool already holding articles", () => {
    const random = seededRandom(7);
    const shuffled = Array.from({ length: 2_500 }, (_, n) => pooled(`r${n}`, T0 + Math.floor(random() * 120) * HOUR));
    const repeated = [pooled("a", T0), pooled("b", T0 + HOUR), pooled("a", T0 + 2 * HOUR)];
    for (const [list, start] of [
      [shuffled, []],
      [repeated, []],
      [repeated.slice(1), [pooled("a", T0)]],
    ] as const) {
      const { one, all } = both([...list], [...start]);
      expect(all).toEqual(one);
    }
    expect(both(repeated).all).toEqual(["b", "a"]);
  });
});
