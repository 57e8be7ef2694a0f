import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BUILTIN_THEMES, DEFAULT_THEMES, parseTheme } from "@eventwire/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../functions/config";
import { configuredThemes, loadThemeList, readThemeFile, themeArgument } from "../../functions/themes-config";

// Themes as files (EVENTWIRE_THEMES, `--theme FILE`): what is read, in which order, and the
// messages that name the file and the field when something is wrong.

const SHIPPED = JSON.parse(
  readFileSync(new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url), "utf8"),
) as Record<string, unknown> & { entities: { aliases: string[] }[] };

/** A valid theme file's content: the shipped theme under another id, with changes. */
function theme(id: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...SHIPPED, id, title: `Theme ${id}`, ...changes };
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "eventwire-themes-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `content` (a value as JSON, or text as it is) to `name` under the test's folder. */
function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return name;
}

const load = (list: string) => loadThemeList(list, dir);

describe("happy: EVENTWIRE_THEMES", () => {
  it("unset follows the default themes; set, names built-in ids, files and folders, in order", () => {
    expect(configuredThemes(parseEnv({}), dir)).toBe(DEFAULT_THEMES);
    write("themes/b.json", theme("bravo"));
    write("themes/a.json", theme("alpha"));
    write("themes/notes.txt", "not a theme: only *.json files of a folder are read");
    write("extra.json", theme("extra"));
    const themes = configuredThemes(parseEnv({ EVENTWIRE_THEMES: " extra.json , isis-syria,themes " }), dir);
    expect(themes.map((t) => t.id)).toEqual(["extra", "isis-syria", "alpha", "bravo"]);
    expect(themes[1]).toBe(BUILTIN_THEMES[0]);
    // Absolute paths too.
    expect(load(path.join(dir, "extra.json")).map((t) => t.id)).toEqual(["extra"]);
  });

  it("takes a file with a $schema key (for editors), and drops it", () => {
    write("x.json", { $schema: "https://eventwire.example/schemas/theme.json", ...theme("with-schema") });
    const [loaded] = load("x.json");
    expect(loaded?.id).toBe("with-schema");
    expect(loaded).not.toHaveProperty("$schema");
    // Nor does a byte-order mark some editors write first stop it.
    write("bom.json", `\uFEFF${JSON.stringify(theme("with-bom"))}`);
    expect(load("bom.json").map((t) => t.id)).toEqual(["with-bom"]);
  });

  it("--theme takes a built-in id or one theme file", () => {
    write("mine.json", theme("mine", { threshold: 0.35 }));
    expect(themeArgument("isis-syria", dir)).toBe(BUILTIN_THEMES[0]);
    expect(themeArgument("mine.json", dir)).toMatchObject({ id: "mine", threshold: 0.35 });
  });
});

describe("error: a bad list or file stops the start, naming the file and the field", () => {
  it.each([
    [
      "a missing file",
      "nowhere/x.json",
      /EVENTWIRE_THEMES: "nowhere\/x.json" is no built-in theme \(isis-syria.*\) and no file or folder: .*nowhere\/x.json/,
    ],
    ["an unknown id", "volcanoes", /"volcanoes" is no built-in theme \(isis-syria.*\) and no file or folder/],
    ["an empty list", " , ", /EVENTWIRE_THEMES is set but names no theme/],
  ])("refuses %s", (_, list, message) => {
    expect(() => load(list)).toThrow(ConfigError);
    expect(() => load(list)).toThrow(message);
  });

  it("refuses a folder without theme files", () => {
    mkdirSync(path.join(dir, "empty"));
    expect(() => load("empty")).toThrow(/EVENTWIRE_THEMES: the folder empty \(.*\) holds no \.json theme file/);
  });

  it("refuses a path through a file with a ConfigError naming it, not a crash", () => {
    writeFileSync(path.join(dir, "plain.json"), JSON.stringify(theme("plain")));
    expect(() => load("plain.json/inner.json")).toThrow(ConfigError);
    expect(() => load("plain.json/inner.json")).toThrow(
      /EVENTWIRE_THEMES: cannot read "plain\.json\/inner\.json" \(.*\): ENOTDIR/,
    );
  });

  it("refuses two themes with one id, naming both", () => {
    write("a.json", theme("same"));
    write("b.json", theme("same"));
    expect(() => load("a.json,b.json")).toThrow(
      'EVENTWIRE_THEMES: theme file b.json has the id "same" of theme file a.json: a deployment\'s themes need ids of their own',
    );
    write("copy.json", theme("isis-syria"));
    expect(() => load("isis-syria,copy.json")).toThrow(
      /theme file copy.json has the id "isis-syria" of built-in theme isis-syria/,
    );
  });

  it("refuses bad JSON with the line and column of the fault", () => {
    write("broken.json", '{\n  "id": "x",\n  "title" "no colon"\n}\n');
    expect(() => load("broken.json")).toThrow(/^theme file broken\.json: not JSON: .* \(line 3, column 11\)$/);
    write("cut.json", '{\n  "id": "x",');
    // Node 20 says "Unexpected end of JSON input", Node 22 names what it expected: the place is the same.
    expect(() => load("cut.json")).toThrow(/^theme file cut\.json: not JSON: .* \(line 2, column 13\)$/);
  });

  it.each([
    [
      "an entity without aliases",
      (t: typeof SHIPPED) => ({ ...t, entities: t.entities.map((e, i) => (i === 3 ? { ...e, aliases: [] } : e)) }),
      /^theme file t\.json: entities\.3\.aliases: Too small: expected array to have >=1 items$/,
    ],
    [
      "an unknown key",
      (t: typeof SHIPPED) => ({ ...t, colour: "red" }),
      /^theme file t\.json: \(root\): Unrecognized key: "colour"$/,
    ],
    [
      "a threshold past 1",
      (t: typeof SHIPPED) => ({ ...t, threshold: 1.5 }),
      /^theme file t\.json: threshold: Too big: expected number to be <=1$/,
    ],
    [
      "an id in capitals",
      (t: typeof SHIPPED) => ({ ...t, id: "ISIS" }),
      /^theme file t\.json: id: lower-case letters, digits and '-'$/,
    ],
    [
      "a follow-up threshold above the threshold",
      (t: typeof SHIPPED) => ({ ...t, threshold: 0.3, followUpThreshold: 0.4 }),
      /^theme file t\.json: followUpThreshold: 0\.4 must not exceed threshold \(0\.3\)$/,
    ],
    [
      "two entities with one id",
      (t: typeof SHIPPED) => ({ ...t, entities: [...t.entities, { ...t.entities[1], aliases: ["Nowhere Land"] }] }),
      /^theme file t\.json: entities\.\d+\.id: "syria" is already the id of entities\.1$/,
    ],
    [
      "an alias another entity has (it would silently go to one of them)",
      (t: typeof SHIPPED) => ({
        ...t,
        entities: [...t.entities, { id: "other", type: "place", weight: -1, aliases: ["syria"] }],
      }),
      /^theme file t\.json: entities\.\d+\.aliases\.0: "syria" is already an alias of entities\.1$/,
    ],
    [
      "an alias with no word",
      (t: typeof SHIPPED) => ({ ...t, entities: [...t.entities, { id: "dash", type: "other", weight: 1, aliases: ["—"] }] }),
      /^theme file t\.json: entities\.\d+\.aliases\.0: "—" has no word to read as a name$/,
    ],
    [
      "an entity weight past 10",
      (t: typeof SHIPPED) => ({ ...t, entities: [{ ...t.entities[0], weight: 1e308 }, ...t.entities.slice(1)] }),
      /^theme file t\.json: entities\.0\.weight: Too big: expected number to be <=10$/,
    ],
    [
      "a term of stop words only",
      (t: typeof SHIPPED) => ({ ...t, terms: [{ term: "of the", weight: 1 }] }),
      /^theme file t\.json: terms\.0\.term: "of the" has no word the scorer reads \(stop words only\)$/,
    ],
  ])("refuses %s, naming the field", (_, change, message) => {
    write("t.json", change(SHIPPED));
    expect(() => load("t.json")).toThrow(ConfigError);
    expect(() => load("t.json")).toThrow(message);
  });

  it("lists a few of many problems, and how many more", () => {
    const terms = Array.from({ length: 5 }, () => ({ term: "x", weight: -1 }));
    expect(() => parseTheme({ ...SHIPPED, terms }, "file many.json")).toThrow(
      /^theme file many\.json: terms\.0\.weight: .*; terms\.1\.weight: .*; terms\.2\.weight: [^;]*; and 2 more$/,
    );
  });

  it("--theme refuses a folder and a file that is not there, and names a bad file's field", () => {
    mkdirSync(path.join(dir, "several"));
    expect(() => themeArgument("several", dir)).toThrow("--theme several: a folder; name one theme file or a built-in id");
    expect(() => themeArgument("gone.json", dir)).toThrow(/--theme: "gone.json" is no built-in theme .* and no file or folder/);
    write("bad.json", theme("bad", { language: "e" }));
    expect(() => themeArgument("bad.json", dir)).toThrow(/^theme file bad\.json: language: Too small/);
  });

  it("a file that cannot be read names it", () => {
    mkdirSync(path.join(dir, "folder.json"));
    expect(() => readThemeFile(path.join(dir, "folder.json"), "folder.json")).toThrow(
      /^theme file folder\.json: cannot read .*folder\.json: a folder, not a file$/,
    );
  });
});
