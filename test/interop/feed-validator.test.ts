import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoFeedServer, loadDemoCorpus, startDemoFeedServer } from "../../functions/local/demo/feed-server";
import type { LocalStack } from "../../functions/local/stack";
import { DEBIAN_PYTHON } from "../support/interop-setup";
import { ingestNow, startInteropStack } from "../support/interop-stack";

// The W3C Feed Validation Service's own code reads every RSS and Atom document the demo serves:
// the theme feed, the events feed and each event's feed, before any article (empty) and after
// the whole corpus (full, every page). It must find no error and no warning. The validator is
// not part of the project: CI keeps it in ../shared beside the clone.
const VALIDATOR = fileURLToPath(new URL("../../../shared/tools/feedvalidate.py", import.meta.url));
const _ADMIN_KEY = "interop-admin-key-0123456789";
const PAGE_SIZE = 10;
const run = promisify(execFile);

type Validation = { findings: string[]; summary: { files: number; errors: number; warnings: number } };

/** A served document, saved with the URL it was served at (the validator checks self links against it). */
type Served = { url: string; body: string };

let stack: LocalStack;
let demo: DemoFeedServer;
let dir: string;
const empty: Served[] = [];
const full: Served[] = [];

async function get(url: string): Promise<Served> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return { url, body: await response.text() };
}

/** Every page of a feed, following its RFC 5005 next links. */
async function allPages(url: string): Promise<Served[]> {
  const pages: Served[] = [];
  let next: string | null = url;
  while (next !== null && pages.length < 50) {
    const page: Served = await get(next);
    pages.push(page);
    const link = /<(?:atom:)?link rel="next" href="([^"]+)"/.exec(page.body)?.[1];
    next = link === undefined ? null : link.replace(/&amp;/g, "&");
  }
  return pages;
}

/** Runs the validator over documents; its last stdout line is a JSON summary. */
async function validate(documents: readonly Served[]): Promise<Validation> {
  const args = documents.map((document, index) => {
    const file = join(dir, `feed-${index}.xml`);
    writeFileSync(file, document.body);
    return `${file}=${document.url}`;
  });
  const result = await run(DEBIAN_PYTHON, [VALIDATOR, ...args], { timeout: 120_000, maxBuffer: 16 << 20 }).catch(
    (error: { stdout?: string; stderr?: string; code?: number }) => {
      // Exit 1 means findings; anything else (a crash, a missing module) has no summary line.
      if (error.code !== 1) throw new Error(`the feed validator failed: ${error.stderr ?? String(error)}`);
      return { stdout: error.stdout ?? "", stderr: error.stderr ?? "" };
    },
  );
  const lines = result.stdout.trim().split("\n");
  const summary = JSON.parse(lines.pop() ?? "{}") as Validation["summary"];
  // Name each finding by the URL of its document rather than the temporary file.
  const findings = lines.map((line) => {
    const index = Number(/feed-(\d+)\.xml/.exec(line)?.[1]);
    return line.replace(/^\S+feed-\d+\.xml/, documents[index]?.url ?? "?");
  });
  return { findings, summary };
}

/** The theme's own feeds: its articles and its events. */
const THEME_FEEDS = ["/feeds/isis-syria", "/feeds/isis-syria/events"];

beforeAll(async () => {
  if (!existsSync(VALIDATOR))
    throw new Error(
      `the W3C feed validator is not at ${VALIDATOR}: this suite reads it from ../shared/tools beside the clone, ` +
        "as CI lays it out (see the header of feedvalidate.py for what it needs)",
    );
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import html5lib, rdflib"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0)
    throw new Error(
      `the feed validator needs Debian's python3-html5lib and python3-rdflib under ${DEBIAN_PYTHON} ` +
        `(${probe.error?.message ?? probe.stderr.trim().split("\n").pop()}). ` +
        "Install them: sudo apt-get install -y python3-html5lib python3-rdflib",
    );
  dir = mkdtempSync(join(tmpdir(), "eventwire-feedvalidate-"));
  const corpus = loadDemoCorpus();
  demo = await startDemoFeedServer({ corpus, batchSize: corpus.length, releaseEveryMs: 60_000 });
  stack = await startInteropStack(demo.feedUrls, PAGE_SIZE);
  for (const path of THEME_FEEDS) for (const format of ["rss", "atom"]) empty.push(await get(`${stack.apiUrl}${path}.${format}`));

  expect(await ingestNow(stack)).toBe(200);
  const listed = (await (await fetch(`${stack.apiUrl}/api/v1/events?limit=100`)).json()) as {
    items: { id: string }[];
  };
  if (listed.items.length < 2) throw new Error("the demo corpus formed fewer than two events");
  for (const path of THEME_FEEDS)
    for (const format of ["rss", "atom"]) full.push(...(await allPages(`${stack.apiUrl}${path}.${format}`)));
  // Every event's feed: copies, follow-ups, several outlets, a single report.
  for (const event of listed.items)
    for (const format of ["rss", "atom"]) full.push(...(await allPages(`${stack.apiUrl}/feeds/events/${event.id}.${format}`)));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await demo?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("the W3C Feed Validation Service's code on the demo's feeds", () => {
  it("finds no error and no warning in the empty theme and events feeds, RSS and Atom", async () => {
    expect(empty).toHaveLength(4);
    const result = await validate(empty);
    expect(result.findings).toEqual([]);
    expect(result.summary).toEqual({ files: 4, errors: 0, warnings: 0 });
  });

  it("finds no error and no warning in the full theme and events feeds and every event's feed, RSS and Atom, every page", async () => {
    // The theme feed runs over more than one page, so paging links are checked too.
    expect(full.filter((page) => page.url.includes("cursor=")).length).toBeGreaterThan(0);
    const result = await validate(full);
    expect(result.findings).toEqual([]);
    expect(result.summary).toEqual({ files: full.length, errors: 0, warnings: 0 });
  });

  it("reports what it finds, so a clean result is not the validator's silence", async () => {
    // An RSS item with a name in <author> and an Atom entry without one: both are findings.
    const rss = full.find((page) => page.body.includes("<rss"));
    const atom = full.find((page) => page.body.includes("<feed"));
    if (rss === undefined || atom === undefined) throw new Error("no RSS or Atom page was read");
    const broken = [
      { url: rss.url, body: rss.body.replace(/<item>/, "<item><author>Levant Wire</author>") },
      { url: atom.url, body: atom.body.replace(/<author>[\s\S]*?<\/author>/g, "") },
    ];
    const result = await validate(broken);
    expect(result.summary.errors + result.summary.warnings).toBeGreaterThanOrEqual(2);
    expect(result.findings.join("\n")).toMatch(/author/i);
  });
});
