import { readFileSync } from "node:fs";
import { escapeHtml } from "@eventwire/core";
import { Feed } from "feed";
import { Hono } from "hono";
import * as z from "zod";
import { listen } from "../http-server";

const DEMO_ARTICLE = z.object({
  id: z.string(),
  outlet: z.string(),
  event: z.string().nullable(),
  theme: z.string(),
  title: z.string(),
  text: z.string(),
});
export type DemoArticle = z.output<typeof DEMO_ARTICLE>;

export type DemoOutlet = { id: string; name: string; format: "rss" | "atom" };

/** The outlets of the bundled corpus and the format each one publishes. */
export const DEMO_OUTLETS: readonly DemoOutlet[] = [
  { id: "levant-wire", name: "Levant Wire", format: "rss" },
  { id: "euphrates-daily", name: "Euphrates Daily", format: "atom" },
  { id: "crescent-times", name: "Crescent Times", format: "rss" },
];

/** Reads the bundled demo corpus (functions/local/demo/corpus.jsonl). */
export function loadDemoCorpus(file = new URL("./corpus.jsonl", import.meta.url)): DemoArticle[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      const parsed = DEMO_ARTICLE.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`demo corpus line ${index + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

export type DemoFeedServer = {
  /** The feed URL of each outlet. */
  feedUrls: string[];
  released(): number;
  /** Releases the next batch now: how a test sets the pace (with `releaseEveryMs: null`). */
  releaseNext(): void;
  close(): Promise<void>;
};

export type DemoFeedServerOptions = {
  corpus: readonly DemoArticle[];
  outlets?: readonly DemoOutlet[];
  /** Articles released at start and at each later release. */
  batchSize: number;
  /** Time between releases; null: none but the first, until `releaseNext` is called. */
  releaseEveryMs: number | null;
  now?: () => Date;
  port?: number;
};

/**
 * A feed server on 127.0.0.1 that releases the corpus a batch at a time, in order, each
 * article dated when it is released. Each outlet gets an RSS or Atom feed with ETag and
 * Last-Modified (answering 304), and each article a small HTML page.
 */
export async function startDemoFeedServer(options: DemoFeedServerOptions): Promise<DemoFeedServer> {
  const now = options.now ?? (() => new Date());
  const outlets = options.outlets ?? DEMO_OUTLETS;
  const releasedAt: Date[] = [];
  const release = () => {
    const first = releasedAt.length;
    const end = Math.min(options.corpus.length, first + options.batchSize);
    const base = now().getTime();
    // A second apart, so the articles of one batch keep the corpus order in every reader.
    for (let index = first; index < end; index += 1) releasedAt.push(new Date(base + (index - first) * 1000));
  };
  release();
  const timer =
    options.releaseEveryMs === null
      ? null
      : setInterval(() => {
          release();
          if (releasedAt.length >= options.corpus.length && timer !== null) clearInterval(timer);
        }, options.releaseEveryMs);

  let origin = "";
  const app = new Hono();
  app.get("/feeds/:outlet", (c) => {
    const outletId = c.req.param("outlet").replace(/\.(rss|atom|xml)$/, "");
    const outlet = outlets.find((candidate) => candidate.id === outletId);
    if (outlet === undefined) return c.text("no such outlet", 404);
    const released = options.corpus
      .slice(0, releasedAt.length)
      .map((article, index) => ({ article, at: releasedAt[index] as Date }))
      .filter(({ article }) => article.outlet === outlet.id);
    const items = released.reverse().slice(0, 30);
    // Counted before the cut to 30, so the tag changes with every release.
    const tag = `"${outlet.id}-${released.length}"`;
    const lastModified = (items[0]?.at ?? new Date(0)).toUTCString();
    if (c.req.header("if-none-match") === tag) return c.body(null, 304, { ETag: tag, "Last-Modified": lastModified });
    const feed = new Feed({
      id: `${origin}/feeds/${outlet.id}`,
      title: outlet.name,
      link: `${origin}/`,
      description: `${outlet.name} (eventwire demo outlet)`,
      language: "en",
      updated: items[0]?.at ?? new Date(0),
      generator: "eventwire demo",
    });
    for (const { article, at } of items) {
      feed.addItem({
        id: `${origin}/articles/${article.id}`,
        link: `${origin}/articles/${article.id}`,
        title: article.title,
        description: article.text,
        date: at,
        published: at,
      });
    }
    const body = outlet.format === "rss" ? feed.rss2() : feed.atom1();
    const type = outlet.format === "rss" ? "application/rss+xml" : "application/atom+xml";
    return c.body(body, 200, { "Content-Type": `${type}; charset=utf-8`, ETag: tag, "Last-Modified": lastModified });
  });
  app.get("/articles/:id", (c) => {
    const index = options.corpus.findIndex((article) => article.id === c.req.param("id"));
    const article = options.corpus[index];
    if (article === undefined || index >= releasedAt.length) return c.text("no such article", 404);
    const outlet = outlets.find((candidate) => candidate.id === article.outlet)?.name ?? article.outlet;
    return c.html(
      `<!doctype html><meta charset="utf-8"><title>${escapeHtml(article.title)}</title>` +
        `<h1>${escapeHtml(article.title)}</h1><p><em>${escapeHtml(outlet)} (demo)</em></p><p>${escapeHtml(article.text)}</p>`,
    );
  });

  const server = await listen(app.fetch, "127.0.0.1", options.port ?? 0);
  origin = server.url;
  return {
    feedUrls: outlets.map((outlet) => `${server.url}/feeds/${outlet.id}.${outlet.format}`),
    released: () => releasedAt.length,
    releaseNext: release,
    async close() {
      if (timer !== null) clearInterval(timer);
      await server.close();
    },
  };
}
