import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runEvalCommand, thinExisting } from "../../functions/eval-command";
import { readLabelledArticles } from "../../functions/eval-files";
import { runTrainCommand } from "../../functions/train-command";
import { AID_WORKERS } from "../fixtures/maintenance-stories";
import { joinsEverything } from "../support/lenient-model";

const fixture = (name: string) => new URL(`../fixtures/articles/${name}`, import.meta.url).pathname;

/** Runs a command, returning what it wrote to stdout. */
function captured(run: () => number): { code: number; out: string } {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: run(), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("eval --thin-existing", () => {
  it("imports each gold event's earliest on-theme article and streams the rest", () => {
    const stream = readLabelledArticles(fixture("stream.jsonl"), "jsonl", "isis-syria");
    const { existing, stream: rest } = thinExisting([], stream);
    expect(existing.map((article) => article.input.id).sort()).toEqual(["t-01", "t-05"]);
    expect(rest.map((article) => article.input.id)).not.toContain("t-01");
    expect(rest).toHaveLength(stream.length - 2);
  });

  it("reports attach accuracy over the follow-ups of the imported events", () => {
    const { code, out } = captured(() => runEvalCommand(["--stream", fixture("stream.jsonl"), "--thin-existing", "--json"]));
    expect(code).toBe(0);
    const report = JSON.parse(out.trim().split("\n").at(-1) as string);
    expect(report.articles).toBe(6);
    expect(report.attach_accuracy).toBeGreaterThan(0);
    expect(report.attach_accuracy).toBeLessThanOrEqual(1);
  });
});

describe("eval --errors", () => {
  it("writes each gold event's outcome and the theme filter's mistakes in words", () => {
    const dir = mkdtempSync(join(tmpdir(), "eventwire-errors-"));
    const file = join(dir, "errors.txt");
    // A stream whose off-theme items are labelled on-theme: the filter's "mistakes" are known.
    const lines = readFileSync(fixture("stream.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .map((record) => (record.id === "t-04" ? { ...record, theme: "isis-syria", event: "cup-final" } : record));
    const stream = join(dir, "stream.jsonl");
    writeFileSync(stream, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    captured(() => runEvalCommand(["--stream", stream, "--errors", file]));
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^3 gold events/);
    expect(text).toContain("## dam-battle (4 articles)");
    expect(text).toContain("## cup-final (1 articles): 1 kept out as off-theme");
    expect(text).toContain("kept out: t-04 (cup-final) Home side wins cup final on penalties");
  });
});

describe("eval and the maintenance pass", () => {
  /** The two happenings of the fixture stories as an evaluation file. */
  function storiesFile(): string {
    const dir = mkdtempSync(join(tmpdir(), "eventwire-maintenance-"));
    const file = join(dir, "stream.jsonl");
    const record = (event: string) => (input: (typeof AID_WORKERS.killed)[number]) =>
      JSON.stringify({
        id: input.id,
        source: input.sourceId,
        published: input.publishedAt.slice(0, 10),
        title: input.title,
        text: input.text,
        event,
        theme: "isis-syria",
      });
    const lines = [...AID_WORKERS.killed.map(record("aid-worker-killed")), ...AID_WORKERS.freed.map(record("doctor-freed"))];
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  }

  /** A model that joins every report to its best event, so the stream merges the two happenings. */
  function modelFile(): string {
    const file = join(mkdtempSync(join(tmpdir(), "eventwire-model-")), "model.json");
    writeFileSync(file, JSON.stringify(joinsEverything()));
    return file;
  }

  it("runs by default, reports its decisions, and --no-maintenance leaves the stream's events as they were", () => {
    const file = storiesFile();
    const model = modelFile();
    const last = (out: string) => JSON.parse(out.trim().split("\n").at(-1) as string);
    const on = captured(() => runEvalCommand(["--stream", file, "--model", model, "--json"]));
    expect(on.out).toMatch(/maintenance +0 merges, 1 splits/);
    expect(last(on.out).maintenance).toEqual({ merges: 0, splits: 1 });
    expect(last(on.out).bcubed.f1).toBe(1);
    const off = captured(() => runEvalCommand(["--stream", file, "--model", model, "--json", "--no-maintenance"]));
    expect(off.out).toMatch(/maintenance +off/);
    expect(last(off.out).maintenance).toBeUndefined();
    expect(last(off.out).bcubed.f1).toBeLessThan(1);
  });
});

describe("train", () => {
  it("reports leave-one-group-out figures over the groups of the streams (--cv-only writes no model)", () => {
    const dir = mkdtempSync(join(tmpdir(), "eventwire-train-"));
    const groups = join(dir, "groups.json");
    writeFileSync(groups, JSON.stringify({ groups: {} }));
    const out = join(dir, "model.json");
    const { code, out: printed } = captured(() =>
      runTrainCommand([
        "--stream",
        fixture("stream.jsonl"),
        "--existing",
        fixture("existing.jsonl"),
        "--cv",
        groups,
        "--cv-only",
        "--out",
        out,
      ]),
    );
    expect(code).toBe(0);
    const summary = JSON.parse(printed.split("\n").find((line) => line.startsWith('{"cv_folds"')) as string);
    expect(summary.cv_folds).toBe(2);
    expect(summary.cv_bcubed.f1).toBeGreaterThan(0);
    expect(summary.cv_bcubed.f1).toBeLessThanOrEqual(1);
    expect(existsSync(out)).toBe(false);
    // The folds are scored with the maintenance pass, as eval scores; --no-maintenance scores without it.
    const without = captured(() =>
      runTrainCommand(["--stream", fixture("stream.jsonl"), "--cv", groups, "--cv-only", "--no-maintenance", "--out", out]),
    );
    expect(without.code).toBe(0);
    expect(without.out).toMatch(/leave-one-group-out over 2 groups/);
  }, 60_000);

  it("refuses --cv-only without --cv, a negative --l2, and a groups file that is not one", () => {
    expect(() => runTrainCommand(["--stream", fixture("stream.jsonl"), "--cv-only"])).toThrow(/--cv-only needs --cv/);
    expect(() => runTrainCommand(["--stream", fixture("stream.jsonl"), "--l2=-1"])).toThrow(
      /--l2 must be a number ≥ 0, not "-1"/,
    );
    const dir = mkdtempSync(join(tmpdir(), "eventwire-train-"));
    const groups = join(dir, "groups.json");
    writeFileSync(groups, "[]");
    expect(() => runTrainCommand(["--stream", fixture("stream.jsonl"), "--cv", groups, "--cv-only"])).toThrow(
      /no "groups" object/,
    );
  });
});

describe("eval --theme ID|FILE", () => {
  const shipped = readFileSync(new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url), "utf8");
  /** The report of the fixture stream under `theme`, less its speed. */
  function report(theme: string): Record<string, unknown> & { theme: { r: number } } {
    const { code, out } = captured(() =>
      runEvalCommand(["--stream", fixture("stream.jsonl"), "--theme", theme, "--no-maintenance", "--json"]),
    );
    expect(code).toBe(0);
    const { articles_per_sec: _speed, ...rest } = JSON.parse(out.trim().split("\n").at(-1) as string);
    return rest;
  }

  it("scores a theme file as the built-in theme it copies, and a changed one as changed", () => {
    const dir = mkdtempSync(join(tmpdir(), "eventwire-eval-theme-"));
    writeFileSync(join(dir, "copy.json"), shipped);
    // Relevance never reaches 1: with both thresholds at 1 nothing is on-theme.
    writeFileSync(join(dir, "closed.json"), JSON.stringify({ ...JSON.parse(shipped), threshold: 1, followUpThreshold: 1 }));
    const builtin = report("isis-syria");
    expect(builtin.theme.r).toBeGreaterThan(0);
    expect(report(join(dir, "copy.json"))).toEqual(builtin);
    expect(report(join(dir, "closed.json")).theme.r).toBe(0);
  });

  it("refuses a bad theme file, naming it and the field, before reading the stream", () => {
    const dir = mkdtempSync(join(tmpdir(), "eventwire-eval-theme-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...JSON.parse(shipped), threshold: -0.5 }));
    expect(() => runEvalCommand(["--stream", join(dir, "none.jsonl"), "--theme", join(dir, "bad.json")])).toThrow(
      /^theme file .*bad\.json: threshold: Too small/,
    );
    expect(() => runTrainCommand(["--stream", join(dir, "none.jsonl"), "--theme", join(dir, "bad.json")])).toThrow(
      /^theme file .*bad\.json: threshold: Too small/,
    );
  });
});
