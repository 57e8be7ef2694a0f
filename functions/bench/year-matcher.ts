import {
  createThemeMatcher,
  DEFAULT_THEMES,
  type EventState,
  type Matcher,
  type MatchInput,
  type ThemeDefinition,
} from "@eventwire/core";
import type { Store } from "@eventwire/store";
import { median } from "./context";
import { probePass } from "./matcher";
import { YEAR_THEME } from "./year-data";

/** The newest `count` events of the theme (most recently active first), read with the store's reader. */
async function newestEvents(store: Store, count: number): Promise<EventState[]> {
  const events: EventState[] = [];
  let after: Parameters<Store["events"]["listByTheme"]>[1]["after"] = null;
  do {
    const page = await store.events.listByTheme(YEAR_THEME, { limit: Math.min(1_000, count - events.length), after });
    events.push(...page.items);
    after = page.nextKey;
  } while (after !== null && events.length < count);
  return events.slice(0, count);
}

/** A matcher given `events` as the pipeline's cache gives them (each upserted into its index). */
function matcherOf(events: readonly EventState[]): Matcher {
  const theme = DEFAULT_THEMES.find((entry) => entry.id === YEAR_THEME) as ThemeDefinition;
  const matcher = createThemeMatcher(theme);
  // Oldest first, as a cache that caught up change by change would have them.
  for (let index = events.length - 1; index >= 0; index -= 1) matcher.index.upsert(events[index] as EventState);
  return matcher;
}

export type YearMatcherFigures = {
  /** The bench process's V8 heap in use with every index built (MB). */
  heapMb: number;
  /** Per index size asked for: microseconds per probe, events the index holds, candidates scored a probe. */
  sizes: { events: number; held: number; micros: number; candidates: number }[];
};

/**
 * The matcher's time per article with the newest N events of the year given to its index, for
 * each N of `sizes`: the probes (new reports dated at the year's end) are prepared and decided
 * on each index (nothing is changed), after one unmeasured pass each; then the sizes take turns,
 * round after round, and each time is the median of its rounds (as `benchMatcher` measures).
 */
export async function measureYearMatcher(
  store: Store,
  sizes: readonly number[],
  probes: readonly MatchInput[],
  rounds: number,
): Promise<YearMatcherFigures> {
  const all = await newestEvents(store, Math.max(...sizes));
  const matchers = sizes.map((size) => matcherOf(all.slice(0, size)));
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  for (const matcher of matchers) probePass(matcher, [...probes]);
  const samples = sizes.map(() => [] as number[]);
  const candidates = sizes.map(() => 0);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, matcher] of matchers.entries()) {
      const pass = probePass(matcher, [...probes]);
      samples[index]?.push(pass.micros);
      candidates[index] = (candidates[index] as number) + pass.candidates;
    }
  }
  return {
    heapMb,
    sizes: sizes.map((size, index) => ({
      events: Math.min(size, all.length),
      held: (matchers[index] as Matcher).index.size,
      micros: median(samples[index] as number[]),
      candidates: (candidates[index] as number) / (rounds * probes.length),
    })),
  };
}
