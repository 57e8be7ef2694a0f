import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../support/cli-run";

// `eventwire themes check` as an operator runs it (bin/eventwire.mjs in a child process): it
// validates theme files and starts nothing, no DynamoDB and no network.

// A child process through tsx takes a second or more, several on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

const SHIPPED_FILE = new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url).pathname;
const shipped = JSON.parse(readFileSync(SHIPPED_FILE, "utf8")) as Record<string, unknown> & {
  entities: Record<string, unknown>[];
  terms: unknown[];
};

let dir: string;
/** Nothing is started: a DynamoDB the command would reach is refused at once, and DATA_DIR stays empty. */
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "eventwire-themes-cli-"));
  env = { DATA_DIR: path.join(dir, "data"), DYNAMODB_ENDPOINT: "http://127.0.0.1:9", EVENTWIRE_THEMES: "not-read-here.json" };
  mkdirSync(path.join(dir, "themes"));
  const write = (name: string, value: unknown) => writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
  write("themes/dams.json", {
    ...shipped,
    id: "dams",
    threshold: 0.35,
    entities: shipped.entities.slice(0, 12),
    terms: shipped.terms.slice(0, 5),
  });
  write("themes/aid.json", { ...shipped, id: "aid", entities: shipped.entities.slice(0, 2) });
  write("bad.json", { ...shipped, id: "bad", entities: shipped.entities.map((e, i) => (i === 3 ? { ...e, aliases: [] } : e)) });
  write("twin.json", { ...shipped, id: "dams" });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const check = (...files: string[]) => runCli(["themes", "check", ...files], env, dir);

describe("happy: themes check", () => {
  it("prints one line per valid theme, a folder's files in name order, exits 0 and starts nothing", async () => {
    const run = await check("themes", "isis-syria");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.trim().split("\n")).toEqual([
      `ok themes/aid.json: id "aid", 2 entities, ${shipped.terms.length} terms, threshold ${shipped.threshold}`,
      'ok themes/dams.json: id "dams", 12 entities, 5 terms, threshold 0.35',
      `ok isis-syria: id "isis-syria", ${shipped.entities.length} entities, ${shipped.terms.length} terms, threshold ${shipped.threshold}`,
    ]);
    expect(existsSync(env.DATA_DIR as string)).toBe(false);
  });

  it("takes the shipped theme file by its path", async () => {
    const run = await check(SHIPPED_FILE);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe(
      `ok ${SHIPPED_FILE}: id "isis-syria", ${shipped.entities.length} entities, ${shipped.terms.length} terms, threshold ${shipped.threshold}\n`,
    );
  });
});

describe("error: themes check", () => {
  it("names the file and the field of a bad one, still checks the others, and exits 1", async () => {
    const run = await check("bad.json", "themes/aid.json", "missing.json");
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `ok themes/aid.json: id "aid", 2 entities, ${shipped.terms.length} terms, threshold ${shipped.threshold}\n`,
    );
    const errors = run.stderr.trim().split("\n");
    expect(errors[0]).toMatch(/^FAIL theme file bad\.json: entities\.3\.aliases: Too small/);
    expect(errors[1]).toMatch(
      /^FAIL themes check: "missing\.json" is no built-in theme .* and no file or folder: .*missing\.json$/,
    );
    expect(errors).toHaveLength(2);
  });

  it("refuses two files with one id, as a deployment would", async () => {
    const run = await check("themes/dams.json", "twin.json");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'FAIL themes check: theme file twin.json has the id "dams" of theme file themes/dams.json: a deployment\'s themes need ids of their own\n',
    );
  });

  it("answers a usage error for no file and for an unknown sub-command", async () => {
    const none = await check();
    expect(none.code).toBe(64);
    expect(none.stderr).toContain("themes check takes one theme file or more");
    expect(none.stderr).toContain("themes check FILE|FOLDER|ID");
    const unknown = await runCli(["themes", "toString"], env, dir);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown themes command "toString" (check, suggest)');
  });
});
