import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { storyStream } from "./matcher";

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * An RSS 2.0 document of `count` on-theme items telling `count / 10` stories, each set in a place
 * of its own (so ingest both creates events and attaches to them; 23 places, so at most 23
 * events), published over the hours before `now`, newest first.
 */
export function syntheticFeed(count: number, base: string, now: Date, seed = 11): string {
  const stream = storyStream(count, Math.max(1, Math.round(count / 10)), 2, seed, true);
  const span = 12 * 3_600_000;
  const items = stream.map((input, index) => {
    const published = new Date(now.getTime() - span + Math.floor((index / count) * span));
    return `<item><title>${escapeXml(input.title)}</title><link>${base}/articles/${seed}-${index}</link><guid>${base}/articles/${seed}-${index}</guid><pubDate>${published.toUTCString()}</pubDate><description>${escapeXml(input.text)}</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench wire</title><link>${base}/</link><description>Synthetic reports</description>${items.reverse().join("")}</channel></rss>`;
}

export type FeedServer = { url(path: string): string; close(): Promise<void> };

/** Serves `feeds` (path → RSS body) on 127.0.0.1. */
export async function startFeedServer(feeds: (base: string) => Record<string, string>): Promise<FeedServer> {
  let bodies: Record<string, Buffer> = {};
  const server = createServer((request, response) => {
    const body = bodies[request.url ?? ""];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", "content-length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bodies = Object.fromEntries(Object.entries(feeds(base)).map(([path, body]) => [path, Buffer.from(body)]));
  return {
    url: (path) => `${base}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
