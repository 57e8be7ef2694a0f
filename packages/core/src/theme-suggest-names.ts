import { nameKey, nameWords } from "./text-features/entities";

/** Names found in the examples, by key: the examples (indexes) that name each. */
export type NameDocs = Map<string, Set<number>>;

// A variant adds a few letters to a name of at least this many: Houthi / Houthis, Yemen /
// Yemeni, Israel / Israelis, Hodeida / Hodeidah.
const MIN_STEM_LETTERS = 4;
const MAX_VARIANT_LETTERS = 3;

function isWordVariant(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= MIN_STEM_LETTERS && long.startsWith(short) && long.length - short.length <= MAX_VARIANT_LETTERS;
}

/**
 * Whether two names (keys) are one entity: the same words give or take a variant's ending
 * ("houthi" / "houthis", "yemen" / "yemeni"), or one is the last word of the other's two
 * ("donald trump" / "trump"; "middle east" / "easter" are not), unless the first of the two is a name of its own (`isName`:
 * "yemen's houthis" is two names, not a longer one). Longer names keep their own: a leader
 * named after his group is not the group.
 */
export function namesAlike(a: string, b: string, isName: (word: string) => boolean = () => false): boolean {
  const wa = a.split(" ");
  const wb = b.split(" ");
  if (wa.length === wb.length) return wa.every((word, index) => isWordVariant(word, wb[index] as string));
  const [single, pair] = wa.length === 1 ? [wa, wb] : [wb, wa];
  return single.length === 1 && pair.length === 2 && single[0] === pair[1] && !isName(pair[0] as string);
}

/**
 * Groups the names into entities: each name, most-named first, joins the first group holding a
 * name alike (`namesAlike`, a word being a name when a one-word name is a variant of it), else
 * opens one. Returns groups of keys, each led by its most named key.
 */
export function groupNames(names: NameDocs): string[][] {
  const keys = [...names.keys()].sort((a, b) => (names.get(b)?.size ?? 0) - (names.get(a)?.size ?? 0) || (a < b ? -1 : 1));
  const singles = keys.filter((key) => !key.includes(" "));
  const isName = (word: string) => singles.some((single) => isWordVariant(single, word));
  const groups: string[][] = [];
  for (const key of keys) {
    const group = groups.find((members) => members.some((member) => namesAlike(member, key, isName)));
    if (group === undefined) groups.push([key]);
    else group.push(key);
  }
  return groups;
}

/**
 * How each name is written most often in the texts (bodies: headlines in title case say
 * nothing of a name's capitals), so that an acronym stays in capitals ("UN" matches only
 * "UN") and a name keeps its accents and hyphens. A name never seen written keeps its key.
 */
export function writtenForms(keys: readonly string[], texts: readonly string[]): Map<string, string> {
  const wanted = new Map(keys.map((key) => [key, key.split(" ").length]));
  const counts = new Map<string, Map<string, number>>();
  const lengths = [...new Set(wanted.values())];
  for (const text of texts) {
    const tokens = nameWords(text);
    const tokenKeys = tokens.map(nameKey);
    for (let index = 0; index < tokens.length; index += 1) {
      for (const length of lengths) {
        const key = tokenKeys.slice(index, index + length).join(" ");
        if (wanted.get(key) !== length) continue;
        const written = tokens.slice(index, index + length).join(" ");
        const forms = counts.get(key) ?? new Map<string, number>();
        forms.set(written, (forms.get(written) ?? 0) + 1);
        counts.set(key, forms);
      }
    }
  }
  return new Map(
    keys.map((key) => {
      const forms = [...(counts.get(key) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]);
      return [key, forms[0]?.[0] ?? key];
    }),
  );
}

/** An entity id from a name: lower-case letters, digits and '-'. */
export function entityIdOf(key: string): string {
  const id = key
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return id === "" ? "name" : id;
}
