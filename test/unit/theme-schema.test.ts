import { readdirSync, readFileSync } from "node:fs";
import { type Schema, Validator } from "@cfworker/json-schema";
import { parseTheme, themeJsonSchema } from "@eventwire/core";
import { describe, expect, it } from "vitest";

// The theme file's JSON Schema (served at /schemas/theme.json) is generated from the zod schema
// `parseTheme` applies. Held here to a real JSON Schema validator (draft 2020-12): what zod takes
// it takes, and what zod refuses it refuses at the same field.

const THEMES_DIR = new URL("../../packages/core/src/themes/", import.meta.url);
const shippedFiles = readdirSync(THEMES_DIR).filter((name) => name.endsWith(".json"));
const read = (name: string) => JSON.parse(readFileSync(new URL(name, THEMES_DIR), "utf8")) as Record<string, unknown>;

const schema = themeJsonSchema();
const validator = new Validator(schema as Schema, "2020-12", false);

/** The fields the JSON Schema validator refuses, as zod writes a path: `entities.3.aliases`, `(root)`. */
function schemaFields(value: unknown): string[] {
  return validator
    .validate(value)
    .errors.map((error) => error.instanceLocation.replace(/^#\/?/, "").replaceAll("/", ".") || "(root)");
}

/** The field `parseTheme` names in its message, or null when it takes the value. */
function zodField(value: unknown): string | null {
  try {
    parseTheme(value, "file t.json");
    return null;
  } catch (error) {
    return /^theme file t\.json: ([^:]+):/.exec((error as Error).message)?.[1] ?? "?";
  }
}

type Theme = Record<string, unknown> & { entities: Record<string, unknown>[]; terms: Record<string, unknown>[] };
const base = read(shippedFiles[0] as string) as Theme;

/** Every subschema that describes an object's property, with its path. */
function properties(node: unknown, at = ""): [string, Record<string, unknown>][] {
  if (node === null || typeof node !== "object") return [];
  const object = node as Record<string, unknown>;
  const own = Object.entries((object.properties ?? {}) as Record<string, Record<string, unknown>>).map(
    ([name, value]) => [`${at}.${name}`, value] as [string, Record<string, unknown>],
  );
  const nested = Object.entries(object).flatMap(([key, value]) =>
    key === "properties"
      ? Object.entries(value as Record<string, unknown>).flatMap(([name, child]) => properties(child, `${at}.${name}`))
      : properties(value, key === "items" ? `${at}[]` : at),
  );
  return [...own, ...nested];
}

describe("happy: the JSON Schema of a theme file", () => {
  it("is draft 2020-12, closed, and says what every field means", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    expect(String(schema.description)).toMatch(/eventwire theme/);
    const fields = properties(schema);
    expect(fields.map(([name]) => name)).toEqual(
      expect.arrayContaining([".id", ".threshold", ".entities[].aliases", ".terms[].supporting", ".$schema"]),
    );
    for (const [name, field] of fields) expect(String(field.description ?? ""), name).toMatch(/\w{3,}.*\w{3,}/);
    // Ranges are in the schema, not only in words.
    expect(properties(schema).find(([name]) => name === ".threshold")?.[1]).toMatchObject({ minimum: 0, maximum: 1 });
  });

  it.each(shippedFiles)("takes the shipped theme %s, as zod does, with or without a $schema key", (name) => {
    const theme = read(name);
    expect(schemaFields(theme)).toEqual([]);
    expect(zodField(theme)).toBeNull();
    const withKey = { $schema: "https://eventwire.example/schemas/theme.json", ...theme };
    expect(schemaFields(withKey)).toEqual([]);
    expect(zodField(withKey)).toBeNull();
  });

  it("takes the example theme file of docs/themes.md, as zod does", () => {
    const doc = readFileSync(new URL("../../docs/themes.md", import.meta.url), "utf8");
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? "null");
    expect(example).toMatchObject({ id: "volcanoes" });
    expect(schemaFields(example)).toEqual([]);
    expect(zodField(example)).toBeNull();
  });
});

describe("error: a broken theme fails on the field zod names", () => {
  const entity = (index: number, change: Record<string, unknown>) =>
    base.entities.map((e, i) => (i === index ? { ...e, ...change } : e));
  it.each([
    ["an entity without aliases", { ...base, entities: entity(3, { aliases: [] }) }, "entities.3.aliases"],
    ["an empty alias", { ...base, entities: entity(2, { aliases: [""] }) }, "entities.2.aliases.0"],
    ["an unknown entity type", { ...base, entities: entity(0, { type: "city" }) }, "entities.0.type"],
    ["an entity weight that is not a number", { ...base, entities: entity(1, { weight: "2" }) }, "entities.1.weight"],
    ["a term of weight 0", { ...base, terms: [{ term: "raid", weight: 0 }] }, "terms.0.weight"],
    ["a threshold past 1", { ...base, threshold: 1.5 }, "threshold"],
    ["an id with a space", { ...base, id: "isis syria" }, "id"],
    ["a title of a number", { ...base, title: 7 }, "title"],
  ])("%s", (_, theme, field) => {
    expect(zodField(theme)).toBe(field);
    expect(schemaFields(theme)).toContain(field);
  });

  it("an unknown key or a missing field: both refuse it, the schema at the object that holds it", () => {
    const { title: _title, ...untitled } = base;
    expect(zodField({ ...base, colour: "red" })).toBe("(root)");
    expect(schemaFields({ ...base, colour: "red" })).toContain("(root)");
    expect(zodField(untitled)).toBe("title");
    expect(schemaFields(untitled)).toContain("(root)");
    expect(zodField({ ...base, terms: [{ term: "raid", weight: 1, strength: 2 }] })).toBe("terms.0");
    expect(schemaFields({ ...base, terms: [{ term: "raid", weight: 1, strength: 2 }] })).toContain("terms.0");
  });

  it("what a JSON Schema cannot say is refused by `parseTheme` (and `themes check`) alone", () => {
    const late = { ...base, threshold: 0.3, followUpThreshold: 0.4 };
    expect(schemaFields(late)).toEqual([]);
    expect(zodField(late)).toBe("followUpThreshold");
  });
});
