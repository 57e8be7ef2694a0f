import * as z from "zod/mini";
import { THEME_SCHEMA } from "./themes";

// The JSON Schema of a theme file, for editors and validators (served at /schemas/theme.json):
// generated from the zod schema `parseTheme` applies, with what each field means. The words live
// here, not on the zod schema, so only the bundle that serves the schema carries them.

/** What each field of a theme file means, by its path (`entities[]`: an item of `entities`; "": the file). */
const FIELD_DESCRIPTIONS: Record<string, string> = {
  "": "An eventwire theme: what it follows and how an article's relevance to it is scored (docs/themes.md).",
  $schema: "The JSON Schema this file follows (for editors; ignored).",
  id: "The theme's id, in feed and API paths (`/feeds/{id}.rss`): 1 to 63 lower-case letters, digits and '-', unique in a deployment.",
  title: "The theme's name, as pages and feeds show it.",
  description: "One sentence on what the theme follows, shown in the theme list.",
  language: "The language of its articles, as a BCP 47 tag (`en`).",
  threshold: "Relevance, 0 to 1, from which an article is on-theme (when anchored by an entity or a non-supporting term).",
  followUpThreshold:
    "Relevance, 0 to 1 and at most `threshold`, from which an article that matches an on-theme event closely enough is on-theme anyway; below it, off-theme at once.",
  entities: "The theme's named entities.",
  "entities[]": "A named entity of the theme (a group, place or person), with its aliases and weight.",
  "entities[].id": "The entity's key, unique in the theme: what the matcher and the evidence name it by (e.g. `isis`).",
  "entities[].type": "What it is: a person, a place, an org(anisation) or other.",
  "entities[].weight":
    "What a mention adds to the theme score, -10 to 10 (the shipped themes use -3 to 3). 0: recognised for matching (its aliases read as one name), with no say in the theme score. Below 0: counter-evidence, a neighbouring story's actor (another conflict's group) whose mentions take from the score, never below 0, and never make a report on-theme.",
  "entities[].aliases": "The names it goes by, at least one; a mention of any is a mention of the entity.",
  "entities[].aliases[]": "A name as written; an all-capital alias (`IS`, `SDF`) matches only in capitals, others in any case.",
  terms: "The theme's words and phrases.",
  "terms[]": "A word or phrase of the theme, with its weight.",
  "terms[].term": "A word or phrase, matched on its word stems (a phrase counts as often as its rarest word).",
  "terms[].weight": "What a mention adds to the theme score, more than 0 and at most 10 (the shipped themes use 0.5 to 3).",
  "terms[].supporting":
    "true: the term adds to the score but never makes an article on-theme alone (`terror`, `militants`). Default false.",
};

type SchemaNode = { description?: string; properties?: Record<string, SchemaNode>; items?: SchemaNode | boolean };

/** Gives every node of `node` its description; a field without one (a new field) is an error, as is a description of none. */
function describeFields(node: SchemaNode, at: string, used: Set<string>): void {
  const description = FIELD_DESCRIPTIONS[at];
  if (description === undefined) throw new Error(`the theme schema's field "${at}" has no description (theme-json-schema.ts)`);
  node.description = description;
  used.add(at);
  for (const [name, child] of Object.entries(node.properties ?? {}))
    describeFields(child, at === "" ? name : `${at}.${name}`, used);
  if (typeof node.items === "object") describeFields(node.items, `${at}[]`, used);
}

/** The JSON Schema (draft 2020-12) of a theme file, generated from the schema `parseTheme` applies, every field described. */
export function themeJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(THEME_SCHEMA, { io: "input", target: "draft-2020-12" }) as SchemaNode;
  const used = new Set<string>();
  describeFields(schema, "", used);
  const stale = Object.keys(FIELD_DESCRIPTIONS).filter((at) => !used.has(at));
  if (stale.length > 0) throw new Error(`the theme schema has no field ${stale.join(", ")} (theme-json-schema.ts)`);
  return schema as Record<string, unknown>;
}
