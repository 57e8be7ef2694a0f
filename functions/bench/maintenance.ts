import type { Article, MaintenanceDecision } from "@eventwire/core";
import { firstTheme, importEvents, maintainEvents } from "@eventwire/pipeline";
import type { BenchContext, BenchFigures } from "./context";
import { storyStream } from "./matcher";
import { benchPipelineDeps, quietLog } from "./pipeline-deps";

/**
 * A maintenance pass on the product's own deps over DynamoDB Local: events imported from a
 * synthetic stream of full-text reports (10 a story, a week), then one pass that decides nothing
 * (what every pass pays: reading each recent event with all its articles and texts) and one that
 * merges a tenth of the events into another (each decision's transaction, its moves, the reads
 * again). Figures: milliseconds per article read, and per merge on top of that.
 */
export async function benchMaintenance(context: BenchContext): Promise<BenchFigures> {
  const events = context.quick ? 20 : 300;
  const stream = storyStream(events * 10, events, 6, 41, true);
  const { endpoint, tableName } = await context.freshTable("maintenance");
  const { deps, clients } = benchPipelineDeps(endpoint, tableName, quietLog(context.say));
  try {
    const groups = new Map<number, Article[]>();
    stream.forEach((input, index) => {
      const story = Number(/^s(\d+)x/.exec(input.title)?.[1] ?? index);
      const article: Article = {
        id: input.id,
        url: `https://bench.example/${input.id}`,
        guid: null,
        sourceId: `outlet-${index % 9}`,
        sourceTitle: `Outlet ${index % 9}`,
        title: input.title,
        summary: input.summary.slice(0, 500),
        text: input.text,
        author: null,
        language: "en",
        publishedAt: input.publishedAt,
        dateInferred: false,
        fetchedAt: input.publishedAt,
        theme: firstTheme(deps).id,
        onTheme: false,
        themeScore: null,
        eventId: null,
        explanation: null,
        contentHash: input.contentHash,
      };
      groups.set(story, [...(groups.get(story) ?? []), article]);
    });
    const imported = await importEvents(deps, [...groups.values()]);
    const last = stream.reduce((latest, input) => (input.publishedAt > latest ? input.publishedAt : latest), "");
    const now = new Date(Date.parse(last) + 3_600_000);
    deps.now = () => now;

    // What every pass pays to read: a planner that decides nothing.
    const planner = deps.planner;
    deps.planner = () => [];
    let started = performance.now();
    const read = await maintainEvents(deps);
    const readMs = performance.now() - started;
    const articles = stream.length;
    context.say(
      `maintenance: a pass over ${read.examined} events (${articles} articles with their text) deciding nothing: ${readMs.toFixed(0)} ms`,
    );
    // The product's planner on the same events: reading, judging the candidate pairs and cuts, storing what it decides.
    deps.planner = planner;
    started = performance.now();
    const planned = await maintainEvents(deps);
    const plannedMs = performance.now() - started;
    context.say(
      `maintenance: the same with the product's planner: ${plannedMs.toFixed(0)} ms, ${planned.decisions.length} decisions`,
    );

    const merges = Math.floor(imported.events / 10);
    deps.planner = (_matcher, recent) => {
      const decisions: MaintenanceDecision[] = [];
      for (let k = 0; k + 1 < recent.length && decisions.length < merges; k += 2) {
        const [into, from] = [recent[k]?.event.id, recent[k + 1]?.event.id] as [string, string];
        decisions.push({ kind: "merge", into, from, explanation: { summary: "bench", signals: {} } });
      }
      return decisions;
    };
    started = performance.now();
    const merged = await maintainEvents(deps);
    const mergeMs = performance.now() - started;
    context.say(
      `maintenance: the same with ${merged.decisions.length} merges (${merged.moved} articles moved): ${mergeMs.toFixed(0)} ms`,
    );
    return {
      maintenance_ms_per_article: readMs / articles,
      maintenance_planned_ms_per_article: plannedMs / articles,
      maintenance_ms_per_merge: Math.max(0, mergeMs - readMs) / Math.max(1, merged.decisions.length),
    };
  } finally {
    clients.client.destroy();
  }
}
