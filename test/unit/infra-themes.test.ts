import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../functions/config";
import { configuredThemes, loadThemeList } from "../../functions/themes-config";
import { declaredFunction, deployRoot, loaded, names, projectRoot, useInfraStandIn } from "../support/infra-stand-in";

// The theme files a deploy ships (EVENTWIRE_THEMES in the deploy shell) and what each function
// reads: its EVENTWIRE_THEMES names copies that `copyFiles` puts in its package, in the order given.
useInfraStandIn();

const SHIPPED = readFileSync(new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url), "utf8");
const LIST = "config/extra.json, isis-syria ,config/themes";
type Copied = { from: string; to: string };

beforeAll(() => {
  const write = (name: string, id: string) => {
    mkdirSync(path.dirname(path.join(deployRoot, name)), { recursive: true });
    writeFileSync(path.join(deployRoot, name), JSON.stringify({ ...JSON.parse(SHIPPED), id }));
  };
  write("config/extra.json", "extra");
  write("config/themes/b.json", "bravo");
  write("config/themes/a.json", "alpha");
  writeFileSync(path.join(deployRoot, "config/themes/README.md"), "not a theme");
  mkdirSync(path.join(deployRoot, "config/no-themes"), { recursive: true });
});

const deploy = (env: Record<string, string>) => ({ root: deployRoot, env });

describe("theme files in the function packages", () => {
  it("happy: every function ships the files, numbered in order, and its EVENTWIRE_THEMES names the copies", () => {
    for (const name of names) {
      const fn = loaded.infra.lambdaFunction(name, deploy({ EVENTWIRE_THEMES: LIST }));
      expect(fn.environment.EVENTWIRE_THEMES, name).toBe("themes/01-extra.json,isis-syria,themes/02-a.json,themes/03-b.json");
      expect(fn.copyFiles, name).toEqual([
        { from: "config/extra.json", to: "themes/01-extra.json" },
        { from: "config/themes/a.json", to: "themes/02-a.json" },
        { from: "config/themes/b.json", to: "themes/03-b.json" },
      ]);
    }
    // With the sources file, the ingest function ships both.
    const ingest = loaded.infra.lambdaFunction(
      "ingest",
      deploy({ EVENTWIRE_THEMES: "config/extra.json", EVENTWIRE_SOURCES_FILE: "config/feeds.txt" }),
    );
    expect(ingest.copyFiles).toEqual([
      { from: "config/feeds.txt", to: "sources.txt" },
      { from: "config/extra.json", to: "themes/01-extra.json" },
    ]);
  });

  it("happy: a package laid out as copyFiles says, read with the environment declared, holds the themes the deploy named", () => {
    const fn = loaded.infra.lambdaFunction("maintain", deploy({ EVENTWIRE_THEMES: LIST }));
    const taskRoot = mkdtempSync(path.join(os.tmpdir(), "eventwire-package-"));
    try {
      for (const { from, to } of fn.copyFiles as Copied[]) {
        mkdirSync(path.dirname(path.join(taskRoot, to)), { recursive: true });
        copyFileSync(path.join(deployRoot, from), path.join(taskRoot, to));
      }
      const deployed = configuredThemes(parseEnv(fn.environment), taskRoot).map((theme) => theme.id);
      expect(deployed).toEqual(loadThemeList(LIST, deployRoot).map((theme) => theme.id));
      expect(deployed).toEqual(["extra", "isis-syria", "alpha", "bravo"]);
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
    }
  });

  it("happy: unset, nothing is shipped and the functions follow the default themes", () => {
    for (const name of names) expect(declaredFunction(name).environment, name).not.toHaveProperty("EVENTWIRE_THEMES");
    expect(loaded.infra.lambdaFunction("api", deploy({})).copyFiles).toBeUndefined();
    // An id is the function's to check: it is passed on as it is.
    expect(loaded.infra.lambdaFunction("api", deploy({ EVENTWIRE_THEMES: "isis-syria" }))).toMatchObject({
      environment: { EVENTWIRE_THEMES: "isis-syria" },
    });
  });

  it("error: a deploy stops on a path that is not there, a folder without theme files and an empty list", () => {
    const stop = (list: string) => () => loaded.infra.lambdaFunction("api", deploy({ EVENTWIRE_THEMES: list }));
    expect(stop("config/gone.json")).toThrow(
      /EVENTWIRE_THEMES: "config\/gone.json": no such file or folder: .*config\/gone.json/,
    );
    expect(stop("isis-syria,config/no-themes")).toThrow(
      /EVENTWIRE_THEMES: the folder config\/no-themes \(.*\) holds no \.json theme file/,
    );
    expect(stop(" , ")).toThrow(/EVENTWIRE_THEMES is set but names no theme/);
  });
});

describe("npm run build (and so npm run deploy)", () => {
  /** `npm run build`'s script in a child process, with EVENTWIRE_THEMES as the deploy shell sets it. */
  function build(themes: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "functions/build-command.ts"], {
        cwd: projectRoot,
        env: { ...process.env, EVENTWIRE_THEMES: themes },
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      child.on("exit", (code) => resolve({ code, stderr }));
    });
  }

  it("error: stops on a bad theme file before building anything, naming the file and the field", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eventwire-build-themes-"));
    const manifest = path.join(projectRoot, "dist/bundles.json");
    const builtBefore = statSync(manifest, { throwIfNoEntry: false })?.mtimeMs;
    try {
      const file = path.join(dir, "bad.json");
      writeFileSync(file, JSON.stringify({ ...JSON.parse(SHIPPED), threshold: 2 }));
      const run = await build(`isis-syria,${file}`);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`npm run build: theme file ${file}: threshold: Too big: expected number to be <=1\n`);
      expect(statSync(manifest, { throwIfNoEntry: false })?.mtimeMs).toBe(builtBefore);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
