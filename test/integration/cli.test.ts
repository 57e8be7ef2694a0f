import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients } from "@eventwire/store";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-run";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { createTestStore, type TestStore } from "../support/store";

// The CLI as a user runs it: `bin/eventwire.mjs` in a child process (test/support/cli-run.ts).
const run = runCli;
const BIN = new URL("../../bin/eventwire.mjs", import.meta.url).pathname;
const QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

// A name that never resolves (RFC 6761), online or not.
const UNRESOLVABLE = "https://feeds.invalid/world.rss";

let db: TestStore;
/** A table of its own for the tests of configured sources, so they do not change the counts of the others. */
let offline: TestStore;
let server: TestHttpServer;
let dataDir: string;

beforeAll(async () => {
  db = await createTestStore();
  offline = await createTestStore();
  server = await startTestServer({
    "/wire.rss": serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"),
    "/broken.xml": serveAlways(fixture("feeds/malformed.xml"), "application/rss+xml"),
  });
  dataDir = mkdtempSync(path.join(tmpdir(), "eventwire-cli-"));
});

afterAll(async () => {
  await server.close();
  await db.drop();
  await offline.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("CLI", () => {
  // The test feeds are on 127.0.0.1: the URL guard lets them through only with this setting.
  const env = () => ({
    DYNAMODB_ENDPOINT: db.endpoint,
    EVENTWIRE_TABLE: db.tableName,
    DATA_DIR: dataDir,
    EVENTWIRE_SOURCES: "",
    EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
  });

  it("sources add refuses a feed on a private address unless private URLs are allowed", async () => {
    const refused = await run(["sources", "add", `${server.url}/wire.rss`], { ...env(), EVENTWIRE_ALLOW_PRIVATE_URLS: "false" });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("127.0.0.1 is a loopback address; only public addresses are allowed");
    const listed = await run(["sources", "list"], env());
    expect(listed.stdout).not.toContain("/wire.rss");
  });

  it("sources add, then sources list and ingest --once report per source", async () => {
    const added = await run(["sources", "add", `${server.url}/wire.rss`], env());
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^added: [0-9a-f]{32} {2}http:\/\/127\.0\.0\.1:\d+\/wire\.rss$/m);
    expect((await run(["sources", "add", `${server.url}/wire.rss`], env())).stdout).toMatch(/^already present: /);
    await run(["sources", "add", `${server.url}/broken.xml`], env());

    const ingest = await run(["ingest", "--once"], { ...env(), EVENTWIRE_LOG_LEVEL: "debug" });
    // Exit 2: the run finished, and some source failed; the reason goes to stderr.
    expect(ingest.code).toBe(2);
    expect(ingest.stdout).toMatch(/^ok {4}http:\/\/127\.0\.0\.1:\d+\/wire\.rss {2}3 new, 0 already stored$/m);
    expect(ingest.stderr).toMatch(/^FAIL {2}http:\/\/127\.0\.0\.1:\d+\/broken\.xml {2}not a readable RSS, RDF or Atom feed: /m);
    expect(ingest.stdout).toContain("2 sources: 1 ok, 1 failed; 3 articles stored");
    // At debug level each source's poll has its own line.
    expect(ingest.stderr).toMatch(/ DEBUG source ingested .*wire\.rss.* stored=3/);

    const list = await run(["sources", "list"], env());
    expect(list.stdout).toMatch(/wire\.rss {2}ok at /);
    expect(list.stdout).toMatch(/broken\.xml {2}failing \(1\): not a readable/);
  });

  it("ingest --once exits 2 naming each configured source that failed or could not be added, on stderr", async () => {
    const refusedUrl = "http://127.0.0.1:9/feed.xml";
    const result = await run(["ingest", "--once"], {
      ...env(),
      EVENTWIRE_TABLE: offline.tableName,
      EVENTWIRE_SOURCES: `${UNRESOLVABLE} ${refusedUrl}`,
      EVENTWIRE_ALLOW_PRIVATE_URLS: "false",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^FAIL {2}https:\/\/feeds\.invalid\/world\.rss {2}host "feeds\.invalid" does not resolve \(\w+\)$/m,
    );
    expect(result.stderr).toContain(
      `NOT ADDED  ${refusedUrl}  127.0.0.1 is a loopback address; only public addresses are allowed`,
    );
    expect(result.stdout).toContain("1 sources: 0 ok, 1 failed; 1 configured not added; 0 articles stored");
    // The source that could not be reached is kept with its reason, to be retried.
    const list = await run(["sources", "list"], { ...env(), EVENTWIRE_TABLE: offline.tableName });
    expect(list.stdout).toMatch(/feeds\.invalid\/world\.rss {2}failing \(\d\): host "feeds\.invalid" does not resolve/);
    expect(list.stdout).not.toContain(refusedUrl);
  });

  it("ingest --once with no source at all exits 0 and says how to add one", async () => {
    const result = await run(["ingest", "--once"], { ...env(), EVENTWIRE_TABLE: `${offline.tableName}-empty` });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("0 sources: 0 ok, 0 failed; 0 articles stored");
    expect(result.stderr).toContain("no sources to poll: set EVENTWIRE_SOURCES or EVENTWIRE_SOURCES_FILE");
  });

  it("start without the network: the banner says the sources fail and points to the demo", async () => {
    const ownData = mkdtempSync(path.join(tmpdir(), "eventwire-cli-offline-"));
    const child: ChildProcess = spawn(process.execPath, [BIN, "start"], {
      env: {
        ...process.env,
        ...QUIET,
        ...env(),
        PORT: "0",
        DATA_DIR: ownData,
        EVENTWIRE_TABLE: `${offline.tableName}-start`,
        EVENTWIRE_SOURCES: UNRESOLVABLE,
      },
    });
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => (stdout.includes("Press Ctrl-C") ? true : null), 30_000);
      expect(stdout).toMatch(/^ {2}sources {4}1 enabled, 1 failing: host "feeds\.invalid" does not resolve \(\w+\)$/m);
      expect(stdout).toContain("each is retried with back-off");
      expect(stdout).toContain("`npm run demo` runs on a bundled sample corpus");
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(ownData, { recursive: true, force: true });
    }
  }, 60_000);

  it("sources set turns full text on and a source off, and refuses a value that is not on or off", async () => {
    const added = await run(["sources", "add", `${server.url}/settings.rss`], env());
    const id = /^added: ([0-9a-f]{32}) /m.exec(added.stdout)?.[1] ?? "";
    const set = await run(["sources", "set", id, "--full-text", "on", "--enabled", "off"], env());
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      new RegExp(`^${id} {2}\\S+/settings\\.rss {2}enabled off, full text on, every 300 s or more$`, "m"),
    );
    expect((await run(["sources", "list"], env())).stdout).toMatch(/settings\.rss {2}disabled; full text$/m);
    const bad = await run(["sources", "set", id, "--full-text", "maybe"], env());
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--full-text takes on or off (got "maybe")');
    const unknown = await run(["sources", "set", "0123", "--enabled", "on"], env());
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('no source has the id "0123"');
  });

  it("eval prints the scores and, with --json, one JSON object on its last line", async () => {
    const fixtures = new URL("../fixtures/articles/", import.meta.url).pathname;
    const result = await run(
      ["eval", "--existing", `${fixtures}existing.jsonl`, "--stream", `${fixtures}stream.jsonl`, "--json"],
      {},
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^BCubed\s+P 1\.000 {2}R 1\.000 {2}F1 1\.000$/m);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "");
    expect(Object.keys(report).sort()).toEqual(
      ["articles", "articles_per_sec", "attach_accuracy", "bcubed", "events", "maintenance", "nmi", "pairwise", "theme"].sort(),
    );
    expect(report).toMatchObject({ articles: 8, events: 2, attach_accuracy: 1, bcubed: { f1: 1 }, theme: { f1: 1 } });
    // The maintenance pass ran after each stream day and found nothing to change.
    expect(report.maintenance).toEqual({ merges: 0, splits: 0 });
    expect(report.articles_per_sec).toBeGreaterThan(0);
  });

  it("eval reads the MStream format with the theme filter off", async () => {
    const file = new URL("../fixtures/articles/headlines.jsonl", import.meta.url).pathname;
    const result = await run(["eval", "--stream", file, "--format", "mstream", "--json"], {});
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "");
    expect(report).toMatchObject({ articles: 6, theme: null, attach_accuracy: null });
    expect(report.nmi).toBeGreaterThan(0);
  });

  it("import-events loads labelled articles as existing events, once", async () => {
    const file = new URL("../fixtures/articles/stream.jsonl", import.meta.url).pathname;
    const first = await run(["import-events", file], env());
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe("2 events: 6 articles imported, 0 already there; 2 without an event label left out");
    const again = await run(["import-events", file], env());
    expect(again.stdout.trim()).toBe("2 events: 0 articles imported, 6 already there; 2 without an event label left out");
  });

  it.each([
    [["eval"], 64, "eval needs --stream FILE"],
    [["eval", "--stream", "/nonexistent.jsonl"], 65, "cannot read /nonexistent.jsonl"],
    [["eval", "--stream", "x", "--format", "csv"], 64, "--format must be jsonl or mstream"],
    [["import-events"], 64, "exactly one FILE.jsonl"],
  ])("refuses %j with a clear message", async (args, code, words) => {
    const result = await run(args, env());
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(words);
  });

  it("eval names the file and line of a bad record", async () => {
    const result = await run(["eval", "--stream", new URL("../fixtures/feeds/rss2.xml", import.meta.url).pathname], {});
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/rss2\.xml:1: not a JSON object/);
  });

  it.each([
    [["frobnicate"], 64, 'unknown command "frobnicate"'],
    [["ingest"], 64, "ingest needs --once"],
    [["sources", "add"], 64, "exactly one URL"],
    [["sources", "add", "ftp://x.example/feed"], 64, "not an absolute http(s) URL"],
    [["start", "--colour"], 64, "Unknown option '--colour'"],
  ])("refuses %j with a clear message", async (args, code, words) => {
    const result = await run(args, env());
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(words);
  });

  it("refuses bad configuration naming the variable", async () => {
    const result = await run(["sources", "list"], { ...env(), PORT: "eighty" });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT="eighty"');
  });

  it("demo: articles arrive in the theme feed, and Ctrl-C stops everything", async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, "start", "--demo"], {
      env: { ...process.env, ...QUIET, PORT: "0", DATA_DIR: dataDir, DYNAMODB_ENDPOINT: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const banner = await waitFor(() => /feeds\s+(http:\/\/127\.0\.0\.1:\d+)\/feeds\/isis-syria\.rss/.exec(stdout), 30_000);
      // The home page the README (and its picture) sends people to comes first.
      expect(stdout).toContain(`  home       ${banner[1]}/\n`);
      const dynamo = /DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] ?? "";
      expect(dynamo).not.toBe("");
      const api = banner[1];
      const first = await waitFor(async () => {
        const feed = await new Parser().parseURL(`${api}/feeds/isis-syria.rss`);
        return feed.items.length >= 3 ? feed : null;
      }, 20_000);
      expect(first.items.length).toBeGreaterThanOrEqual(3);
      // More arrive as the demo server releases them and the schedule polls again.
      const later = await waitFor(async () => {
        const feed = await new Parser().parseURL(`${api}/feeds/isis-syria.rss`);
        return feed.items.length > first.items.length ? feed : null;
      }, 30_000);
      expect(later.items.length).toBeGreaterThan(first.items.length);
      // Quiet by default: a line per run that stored something, none per source polled.
      const runs = stderr.split("\n").filter((line) => line.includes("ingest run finished"));
      expect(runs.length).toBeGreaterThan(0);
      for (const line of runs) {
        expect(line).toMatch(/ INFO {2}ingest run finished /);
        // A run that stored, updated and failed nothing ends "failed=0 stored=0": it is debug.
        expect(line).not.toMatch(/failed=0 stored=0$/);
      }
      expect(stderr).not.toContain("source ingested");

      const { client } = createDynamoClients({ endpoint: dynamo, maxAttempts: 1 });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toContain("eventwire");
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      // DynamoDB Local went down with it.
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
      client.destroy();
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);
});

describe("npm start", () => {
  it("stops with DynamoDB Local when a supervisor sends npm SIGTERM", async () => {
    const npm = process.env.npm_execpath;
    if (npm === undefined) throw new Error("run this test through npm (npm test), which sets npm_execpath");
    const child: ChildProcess = spawn(process.execPath, [npm, "run", "-s", "start"], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, ...QUIET, PORT: "0", DATA_DIR: dataDir, DYNAMODB_ENDPOINT: "", EVENTWIRE_SOURCES: "" },
    });
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const dynamo = (await waitFor(() => /DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout), 30_000))[1] ?? "";
      const { client } = createDynamoClients({ endpoint: dynamo, maxAttempts: 1 });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toContain("eventwire");
      // Only npm's own process is signalled, as a supervisor stopping its main process does.
      child.kill("SIGTERM");
      await exited;
      await waitFor(async () => {
        try {
          await client.send(new ListTablesCommand({}));
          return null;
        } catch {
          return true;
        }
      }, 15_000);
      client.destroy();
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});

async function waitFor<T>(probe: () => T | null | undefined | Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined) return value;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
