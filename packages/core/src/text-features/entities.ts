import { foldText, isStopWord } from "./tokens";

export const ENTITY_TYPES = ["person", "place", "org", "other"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** A named entity a theme knows, with the names it goes by. */
export type EntityDefinition = {
  id: string;
  type: EntityType;
  /** Names as written. All-capital aliases ("IS", "SDF") match only in capitals. */
  aliases: string[];
};

export type EntityDictionary = {
  exact: Map<string, EntityDefinition>;
  folded: Map<string, EntityDefinition>;
  maxWords: number;
  /** First words of every alias (folded), so most words skip the look-up entirely. */
  starts: Set<string>;
};

type EntityMention = { type: EntityType; count: number };

/** Entities found in a text, by key: a dictionary id, or the folded name of an unknown one. */
export type EntityCounts = Map<string, EntityMention>;

const CONNECTORS = new Set(["al", "el", "ez", "az", "as", "ad", "bin", "ibn", "abu", "de", "du", "von", "van", "of", "la"]);
const MAX_NAME_WORDS = 4;
// Days and months are capitalised but name nothing a story is about ("Monday's attack").
export const CALENDAR_WORD =
  /^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)s?$/;

/**
 * The words of a name or text as the entity reader splits them. Hyphens split words
 * ("Turkey-Syria" names two places); aliases are split the same way, so "Deir ez-Zor" still
 * matches as one name.
 */
export function nameWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu) ?? [];
}

/** The key a name is known by: folded, without apostrophes, hyphens as spaces. */
export function nameKey(phrase: string): string {
  const folded = foldText(phrase);
  // Most words carry neither; the replacements are then skipped.
  if (!/['’-]/.test(folded)) return folded;
  return folded.replace(/['’]/g, "").replace(/-/g, " ");
}

const isAllCaps = (alias: string) => /^[\p{Lu}\p{N}\s.-]+$/u.test(alias) && /\p{Lu}/u.test(alias);

/** Prepares a dictionary of known entities for fast matching. */
export function compileEntities(definitions: readonly EntityDefinition[]): EntityDictionary {
  const exact = new Map<string, EntityDefinition>();
  const folded = new Map<string, EntityDefinition>();
  const starts = new Set<string>();
  let maxWords = 1;
  for (const definition of definitions) {
    for (const alias of definition.aliases) {
      const tokens = nameWords(alias);
      maxWords = Math.max(maxWords, tokens.length);
      starts.add(nameKey(tokens[0] ?? ""));
      if (isAllCaps(alias)) exact.set(tokens.join(" "), definition);
      else folded.set(nameKey(tokens.join(" ")), definition);
    }
  }
  return { exact, folded, maxWords, starts };
}

function add(counts: EntityCounts, key: string, type: EntityType): void {
  const mention = counts.get(key);
  if (mention === undefined) counts.set(key, { type, count: 1 });
  else mention.count += 1;
}

const isCapitalised = (word: string) => /^\p{Lu}/u.test(word);

/**
 * Finds entities in a text: known ones by their aliases (longest match first), and, where
 * `guessNames` is set, unknown proper names (runs of capitalised words, joined by particles such
 * as "al" or "bin"). Headlines in title case would make every word a name, so titles are read
 * for known entities only.
 */
export function extractEntities(text: string, dictionary: EntityDictionary, guessNames: boolean): EntityCounts {
  const counts: EntityCounts = new Map();
  // Clause by clause: a name never spans punctuation, and a capitalised opener of a sentence
  // or clause ("Later, …") is not mistaken for one.
  for (const sentence of text.split(/(?<=[.!?])\s+|\n+|[,;:()"“”«»]/)) {
    const tokens = nameWords(sentence);
    const keys = tokens.map(nameKey);
    // In a clause written all in capitals, capitals say nothing: "THIS IS WHY" names no group.
    const shouting = !/\p{Ll}/u.test(sentence);
    let index = 0;
    while (index < tokens.length) {
      let matched = 0;
      if (dictionary.starts.has(keys[index] as string)) {
        for (let size = Math.min(dictionary.maxWords, tokens.length - index); size >= 1 && matched === 0; size -= 1) {
          const written = tokens.slice(index, index + size).join(" ");
          // Shouting, a two-letter alias ("IS") is just a word; a longer acronym ("ISIS") still names.
          const definition =
            (shouting && written.length < 3 ? undefined : dictionary.exact.get(written)) ??
            dictionary.folded.get(keys.slice(index, index + size).join(" "));
          if (definition !== undefined) {
            add(counts, definition.id, definition.type);
            matched = size;
          }
        }
      }
      if (matched > 0) {
        index += matched;
        continue;
      }
      const word = tokens[index] as string;
      if (guessNames && isCapitalised(word) && !(index === 0 && isStopWord(keys[index] as string))) {
        let end = index + 1;
        while (end < tokens.length && end - index < MAX_NAME_WORDS) {
          const next = tokens[end] as string;
          const joins = CONNECTORS.has(next.toLowerCase()) && end + 1 < tokens.length && isCapitalised(tokens[end + 1] as string);
          if (isCapitalised(next) && !dictionary.folded.has(keys[end] as string)) end += 1;
          else if (joins) end += 2;
          else break;
        }
        const name = tokens.slice(index, end);
        // A lone capitalised word at a sentence start is usually just an opener.
        const lone = name.length === 1 && index === 0 && !isAllCaps(word);
        const calendar = name.length === 1 && CALENDAR_WORD.test(keys[index] as string);
        if (!lone && !calendar && !keys.slice(index, end).every((key) => isStopWord(key)))
          add(counts, keys.slice(index, end).join(" "), "other");
        index = end;
        continue;
      }
      index += 1;
    }
  }
  return counts;
}

// Credit lines name the outlet behind a report, or a photo's, not what the report is about: a
// dateline's "(Levant Wire)" before a spaced dash or a colon ("BEIRUT (Levant Wire) - ",
// "(Wire) -- ", "(Wire): "), and a parenthesis closing a paragraph after its last sentence.
const DATELINE_CREDIT = /\((\p{Lu}[^()\n]{0,59})\)(?=\s+(?:-{1,2}|[–—])|(?:-{1,2}|[–—:])\s)/gu;
const CLOSING_CREDIT = /(?<=^|[.!?"”’)]\s*)\((\p{Lu}[^()\n]{0,59})\)(?=[ \t]*$)/gmu;
/** A dateline opens its paragraph: only these first characters are searched for one. */
const DATELINE_SPAN = 80;

const isKnownName = (name: string, dictionary: EntityDictionary) =>
  dictionary.exact.has(nameWords(name).join(" ")) || dictionary.folded.has(nameKey(nameWords(name).join(" ")));

/**
 * The text without its credit lines, for the entity reader: outlets and photographers are not
 * entities of the story. A parenthesis naming a known entity ("(ISIL) -") is kept.
 */
export function withoutCredits(text: string, dictionary: EntityDictionary): string {
  // Most texts have no parenthesis at all.
  if (!text.includes("(")) return text;
  // A clause break in its place, as the parenthesis was: "BEIRUT" and the sentence after it
  // stay apart.
  const blank = (match: string, name: string) => (isKnownName(name, dictionary) ? match : ";");
  let out = text.replace(CLOSING_CREDIT, blank);
  // Datelines only in the opening characters of a paragraph.
  out = out.replace(/(^|\n)([^\n]*)/g, (line, start: string, paragraph: string) =>
    paragraph.includes("(")
      ? `${start}${paragraph.slice(0, DATELINE_SPAN).replace(DATELINE_CREDIT, blank)}${paragraph.slice(DATELINE_SPAN)}`
      : line,
  );
  return out;
}

/**
 * The entity keys an outlet's own name would be read as: the whole name and each part of a
 * compound one ("Levant Wire - World" names "levant wire" and "world"). A part that is a known
 * entity ("Syria" in "Levant Wire: Syria") stays an entity.
 */
export function outletKeys(outlet: string, dictionary: EntityDictionary): ReadonlySet<string> {
  // Every article of a source names the same outlet: read once per outlet and dictionary.
  let known = outletKeysByDictionary.get(dictionary);
  if (known === undefined) {
    known = new Map();
    outletKeysByDictionary.set(dictionary, known);
  }
  let keys = known.get(outlet);
  if (keys === undefined) {
    const parts = [outlet, ...outlet.split(/\s+[-–—|:]\s+|:\s+/)].filter((part) => !isKnownName(part, dictionary));
    keys = new Set(parts.map((part) => nameKey(nameWords(part).join(" "))).filter((key) => key !== ""));
    // Outlets are as many as sources; a bound all the same, against an endless run of names.
    if (known.size >= MAX_OUTLETS_REMEMBERED) known.clear();
    known.set(outlet, keys);
  }
  return keys;
}

const MAX_OUTLETS_REMEMBERED = 10_000;
const outletKeysByDictionary = new WeakMap<EntityDictionary, Map<string, ReadonlySet<string>>>();
