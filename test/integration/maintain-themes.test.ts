import { maintainThemes } from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

let db: TestStore;
let deps: TestDeps;

beforeAll(async () => {
  db = await createTestStore();
  const base = createTestDeps(db.store);
  // The table answers every theme but one, whose reads fail (a throttled or broken partition).
  const events = {
    ...db.store.events,
    pendingMoves: (themeId: string) =>
      themeId === "broken"
        ? Promise.reject(new Error("the broken theme's partition is unreadable"))
        : db.store.events.pendingMoves(themeId),
  };
  const first = base.config.themes[0] as (typeof base.config.themes)[number];
  const config = { ...base.config, themes: [{ ...first, id: "broken" }, ...base.config.themes] };
  deps = { ...base, config, store: { ...db.store, events } };
});

afterAll(() => db.drop());

describe("maintainThemes", () => {
  it("error: a theme whose pass throws is logged and named, and the themes after it still get their pass", async () => {
    const good = deps.config.themes[1]?.id as string;
    const { summaries, failed, searchIndex } = await maintainThemes(deps, ["broken", good]);
    expect(failed.map((each) => each.themeId)).toEqual(["broken"]);
    expect(String(failed[0]?.error)).toContain("unreadable");
    expect(summaries.map((summary) => summary.themeId)).toEqual([good]);
    expect(deps.logs.some((entry) => entry.message === "maintenance pass failed" && entry.fields.themeId === "broken")).toBe(
      true,
    );
    // The search index is every theme's: it is built all the same (an empty table: nothing to digest).
    expect(searchIndex).toEqual({ slots: 0, days: 0, articles: 0, folded: 0, more: false });
  });

  it("error: a search index build that throws is logged, and the themes' passes stand", async () => {
    const good = deps.config.themes[1]?.id as string;
    const search = { ...db.store.search, oldestArticle: () => Promise.reject(new Error("the index partition is unreadable")) };
    const broken = { ...deps, store: { ...deps.store, search } };
    const { summaries, searchIndex } = await maintainThemes(broken, [good]);
    expect(summaries.map((summary) => summary.themeId)).toEqual([good]);
    expect(searchIndex).toBeNull();
    expect(deps.logs.some((entry) => entry.message === "search index build failed")).toBe(true);
  });
});
