import { binaryPrf } from "./metrics";
import { CALENDAR_WORD, compileEntities } from "./text-features/entities";
import { type ArticleFeatures, extractFeatures } from "./text-features/features";
import { compileTheme, scoreTheme, type ThemeDefinition } from "./text-features/theme-score";
import { contentTerms, stem } from "./text-features/tokens";
import { entityIdOf, groupNames, type NameDocs, writtenForms } from "./theme-suggest-names";
import { parseTheme } from "./themes";

/** A labelled example for `suggestTheme`: a row of a labelled file. */
export type SuggestExample = {
  title: string;
  text: string;
  /** The theme the row belongs to, or "off". */
  theme: string;
  /** Its event label, when it has one: words seen in one event's reports only are that event's. */
  event?: string | null;
  /** The outlet that published it: not a name of the story. */
  source?: string | null;
};

export type SuggestOptions = {
  /** The theme to suggest (rows whose `theme` equals it are on-theme); default: the most common other than "off". */
  id?: string;
  /** A term or name must be in at least this many on-theme examples (default: 3, or 5% of them if more). */
  minExamples?: number;
  /** …and in the reports of at least this many events, when events are labelled (default 2). */
  minEvents?: number;
  /** How many examples' worth of the pooled rate the prior adds to each side (default 10). */
  priorStrength?: number;
  /** The z-score a term or name must reach (default 1.645: one-sided 95%). */
  minZ?: number;
  maxTerms?: number;
  maxEntities?: number;
};

/**
 * - `anchor`: a term of the theme; `supporting`: a term common on both sides (it adds to the score
 *   but never makes a report on-theme alone); `known`: a name common on both sides (weight 0:
 *   the matcher reads its aliases as one name, the score ignores it); `counter`: a name of the
 *   off-theme examples (negative weight: counter-evidence).
 */
export type SuggestedRole = "anchor" | "supporting" | "known" | "counter";

export type SuggestedItem = {
  kind: "term" | "entity";
  /** The term as written in the file, or the entity's id. */
  name: string;
  aliases: string[];
  /** Examples that have it: on-theme, off-theme. */
  on: number;
  off: number;
  /** Distinct events among the on-theme examples that have it. */
  events: number;
  /** Log-odds ratio (on-theme against off-theme) with the informative prior, and its z-score. */
  logOdds: number;
  z: number;
  role: SuggestedRole;
  weight: number;
};

export type ThemeSuggestion = {
  theme: ThemeDefinition;
  onTheme: number;
  offTheme: number;
  /** What the file holds, strongest first. */
  items: SuggestedItem[];
  /** Left out for being seen in one event's reports only (names of particular events, mostly). */
  oneEvent: SuggestedItem[];
  /** How the proposed file separates the examples at its threshold. */
  separation: { precision: number; recall: number; f1: number };
};

const EMPTY_DICTIONARY = compileEntities([]);
const MAX_WEIGHT = 3;
// A word is common to both sides when off-theme examples use it at least this share as often.
const COMMON_SHARE = 0.25;

type Counted = { on: number; off: number; events: Set<string> };

/** The theme a file is about when none is named: its most common theme other than "off". */
function mainTheme(examples: readonly SuggestExample[]): string {
  const counts = new Map<string, number>();
  for (const example of examples) if (example.theme !== "off") counts.set(example.theme, (counts.get(example.theme) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (best === undefined) throw new Error("no on-theme examples: every row's theme is off");
  return best[0];
}

/**
 * The log-odds ratio of a feature between on-theme and off-theme examples with an informative
 * prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words", on example counts): each side gets
 * `strength` examples' worth of the feature's pooled rate, and the z-score divides the ratio by
 * its approximate standard deviation, so a word seen a few times is not trusted like a common one.
 */
export function logOddsRatio(
  counts: { on: number; off: number },
  totals: { on: number; off: number },
  strength: number,
): { logOdds: number; z: number } {
  const rate = (counts.on + counts.off) / (totals.on + totals.off);
  const alpha = strength * rate;
  const beta = strength * (1 - rate);
  const a = counts.on + alpha;
  const b = totals.on - counts.on + beta;
  const c = counts.off + alpha;
  const d = totals.off - counts.off + beta;
  const logOdds = Math.log(a / b) - Math.log(c / d);
  return { logOdds, z: logOdds / Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d) };
}

function count(map: Map<string, Counted>, key: string, onTheme: boolean, event: string): void {
  let entry = map.get(key);
  if (entry === undefined) {
    entry = { on: 0, off: 0, events: new Set() };
    map.set(key, entry);
  }
  if (onTheme) {
    entry.on += 1;
    entry.events.add(event);
  } else entry.off += 1;
}

/** The word a stem is written as most often, when the scorer reads that word as the stem. */
function shownWord(stemmed: string, words: Map<string, number> | undefined): string | null {
  const ranked = [...(words ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).map(([word]) => word);
  return [...ranked, stemmed].find((word) => contentTerms(word).join(" ") === stemmed) ?? null;
}

const roundHalf = (value: number) => Math.round(value * 2) / 2;

/**
 * Proposes a theme file from labelled examples: terms (stems, as the theme scorer reads them)
 * and names (capitalised word runs, as the entity reader finds them, grouped with their
 * variants) ranked by how strongly each separates on-theme from off-theme examples
 * (`logOddsRatio`), with weights from that ratio, words common to both sides as `supporting`,
 * names of the off-theme side as counter-evidence, and the threshold that best separates the
 * examples with the proposed file. A starting point a person edits, not a finished theme.
 */
export function suggestTheme(examples: readonly SuggestExample[], options: SuggestOptions = {}): ThemeSuggestion {
  const id = options.id ?? mainTheme(examples);
  const isOn = examples.map((example) => example.theme === id);
  const totals = { on: isOn.filter(Boolean).length, off: isOn.filter((on) => !on).length };
  if (totals.on === 0) throw new Error(`no example has the theme "${id}"`);
  if (totals.off === 0) throw new Error("no off-theme examples: a theme is told from what it is not");
  const minExamples = options.minExamples ?? Math.max(3, Math.ceil(totals.on * 0.05));
  const labelled = examples.some((example, index) => isOn[index] && example.event);
  const minEvents = labelled ? (options.minEvents ?? 2) : 1;

  const terms = new Map<string, Counted>();
  const termWords = new Map<string, Map<string, number>>();
  const nameDocs: NameDocs = new Map();
  examples.forEach((example, index) => {
    const features = extractFeatures(example.title, example.text, EMPTY_DICTIONARY, example.source ?? null);
    const event = example.event ?? `example:${index}`;
    for (const term of termsOf(features)) {
      count(terms, term, isOn[index] as boolean, event);
      const word = features.termWords.get(term) as string;
      const words = termWords.get(term) ?? new Map<string, number>();
      words.set(word, (words.get(word) ?? 0) + 1);
      termWords.set(term, words);
    }
    for (const key of features.entities.keys()) nameDocs.set(key, (nameDocs.get(key) ?? new Set<number>()).add(index));
  });

  const names = new Map<string, Counted>();
  const groups = new Map<string, string[]>();
  for (const group of groupNames(nameDocs)) {
    const docs = new Set(group.flatMap((key) => [...(nameDocs.get(key) ?? [])]));
    groups.set(group[0] as string, group);
    for (const index of docs)
      count(names, group[0] as string, isOn[index] as boolean, examples[index]?.event ?? `example:${index}`);
  }

  const strength = options.priorStrength ?? 10;
  const minZ = options.minZ ?? 1.645;
  const rated = (kind: SuggestedItem["kind"], key: string, counted: Counted) => ({
    kind,
    key,
    counted,
    ...logOddsRatio(counted, totals, strength),
  });
  const candidates = [
    ...[...terms].map(([key, counted]) => rated("term", key, counted)),
    ...[...names].map(([key, counted]) => rated("entity", key, counted)),
  ];
  const common = (counted: Counted) =>
    (counted.off + 0.5) / (totals.off + 1) >= COMMON_SHARE * ((counted.on + 0.5) / (totals.on + 1));
  const roleOf = ({ kind, counted, z }: (typeof candidates)[number]): SuggestedRole | null => {
    if (z >= minZ && counted.on >= minExamples) return common(counted) ? (kind === "term" ? "supporting" : "known") : "anchor";
    if (kind === "entity" && z <= -minZ && counted.off >= minExamples) return "counter";
    if (kind === "entity" && counted.on >= minExamples && counted.off >= minExamples) return "known";
    return null;
  };
  const roles = candidates
    .map((item) => ({ ...item, role: roleOf(item) }))
    .filter((item): item is (typeof candidates)[number] & { role: SuggestedRole } => item.role !== null);
  // The scale: the strongest anchor of the theme itself (a name of one event is left out below).
  const anchors = roles.filter((item) => item.role === "anchor" && item.counted.events.size >= minEvents);
  const strongest = Math.max(...anchors.map((item) => item.logOdds), 1e-9);
  const weightOf = (logOdds: number) =>
    Math.min(MAX_WEIGHT, Math.max(0.5, roundHalf((MAX_WEIGHT * Math.abs(logOdds)) / strongest)));

  const items: SuggestedItem[] = [];
  const oneEvent: SuggestedItem[] = [];
  for (const { kind, key, counted, logOdds, z, role } of roles.sort((a, b) => Math.abs(b.z) - Math.abs(a.z))) {
    const weight = role === "known" ? 0 : role === "counter" ? -weightOf(logOdds) : weightOf(logOdds);
    const entry = {
      kind,
      name: key,
      aliases: groups.get(key) ?? [key],
      on: counted.on,
      off: counted.off,
      events: counted.events.size,
    };
    const suggested = { ...entry, logOdds: round(logOdds), z: round(z), role, weight };
    if (role !== "counter" && counted.events.size < minEvents) oneEvent.push(suggested);
    else items.push(suggested);
  }
  const kept = [
    ...items.filter((item) => item.kind === "entity").slice(0, options.maxEntities ?? 40),
    ...withoutNameWords(items).slice(0, options.maxTerms ?? 40),
  ];
  return finish(id, examples, isOn, totals, kept, oneEvent, termWords);
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function termsOf(features: ArticleFeatures): Set<string> {
  const out = new Set<string>();
  for (const term of [...features.titleTerms.keys(), ...features.bodyTerms.keys()]) {
    const word = features.termWords.get(term) ?? term;
    // Dates are not a theme's words; nor are fragments.
    if (term.length >= 3 && !CALENDAR_WORD.test(word)) out.add(term);
  }
  return out;
}

/** The terms, less those that are words of a kept name: a name is counted as the entity. */
function withoutNameWords(items: readonly SuggestedItem[]): SuggestedItem[] {
  const nameStems = new Set(
    items.filter((item) => item.kind === "entity").flatMap((item) => item.aliases.flatMap((alias) => alias.split(" ").map(stem))),
  );
  return items.filter((item) => item.kind === "term" && !nameStems.has(item.name));
}

function finish(
  id: string,
  examples: readonly SuggestExample[],
  isOn: readonly boolean[],
  totals: { on: number; off: number },
  kept: SuggestedItem[],
  oneEvent: SuggestedItem[],
  termWords: Map<string, Map<string, number>>,
): ThemeSuggestion {
  const entities = kept.filter((item) => item.kind === "entity");
  const forms = writtenForms(
    entities.flatMap((item) => item.aliases),
    examples.map((example) => example.text),
  );
  const ids = new Set<string>();
  const named = entities.map((item) => {
    let entityId = entityIdOf(item.name);
    while (ids.has(entityId)) entityId = `${entityId}-2`;
    ids.add(entityId);
    return { ...item, name: entityId, aliases: [...new Set(item.aliases.map((key) => forms.get(key) ?? key))] };
  });
  const worded = kept
    .filter((item) => item.kind === "term")
    .flatMap((item) => {
      const word = shownWord(item.name, termWords.get(item.name));
      return word === null ? [] : [{ ...item, name: word, aliases: [word] }];
    });
  const draft: ThemeDefinition = {
    id,
    title: id,
    description: `Suggested from ${totals.on} on-theme and ${totals.off} off-theme examples; edit before use.`,
    language: "en",
    threshold: 0.5,
    followUpThreshold: 0.1,
    entities: named.map((item) => ({ id: item.name, type: "other", weight: item.weight, aliases: item.aliases })),
    terms: worded.map((item) => ({
      term: item.name,
      weight: item.weight,
      ...(item.role === "supporting" ? { supporting: true } : {}),
    })),
  };
  const compiled = compileTheme(draft);
  const scores = examples.map((example) =>
    scoreTheme(compiled, extractFeatures(example.title, example.text, compiled.dictionary, example.source ?? null)),
  );
  const fit = fitThemeThresholds(scores.map((score, index) => ({ ...score, on: isOn[index] as boolean })));
  const theme = parseTheme({ ...draft, threshold: fit.threshold, followUpThreshold: fit.followUpThreshold }, `${id} (suggested)`);
  const items = [...named, ...worded].sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
  // Shown as written: the word of a term, the name of an entity.
  const shown = oneEvent.map((item) =>
    item.kind === "term" ? { ...item, name: shownWord(item.name, termWords.get(item.name)) ?? item.name } : item,
  );
  return { theme, onTheme: totals.on, offTheme: totals.off, items, oneEvent: shown, separation: fit.separation };
}

type Scored = { score: number; anchored?: boolean; on: boolean };

function separationAt(scored: readonly Scored[], threshold: number) {
  const { p, r, f1 } = binaryPrf(
    scored.map((each) => each.on),
    scored.map((each) => each.anchored === true && each.score >= threshold),
  );
  return { precision: round(p), recall: round(r), f1: round(f1) };
}

/**
 * The threshold that best separates the examples (highest F1 of on-theme detection; among
 * equals, the middle of the widest gap between scores), and a follow-up threshold that nine in
 * ten off-theme examples fall below (rounded up to 0.05, at least 0.05, at most the threshold):
 * those are off at once, and the matcher judges the rest as possible follow-ups of a story.
 */
export function fitThemeThresholds(scored: readonly Scored[]): {
  threshold: number;
  followUpThreshold: number;
  separation: { precision: number; recall: number; f1: number };
} {
  const values = [...new Set(scored.map((entry) => entry.score))].sort((a, b) => a - b);
  let best = { threshold: 0.5, f1: -1, gap: -1 };
  for (let index = 0; index < values.length; index += 1) {
    const below = values[index - 1] ?? 0;
    const at = values[index] as number;
    const threshold = Math.min(0.95, Math.max(0.05, Math.round(((below + at) / 2) * 100) / 100));
    const { f1 } = separationAt(scored, threshold);
    if (f1 > best.f1 || (f1 === best.f1 && at - below > best.gap)) best = { threshold, f1, gap: at - below };
  }
  const offScores = scored
    .filter((entry) => !entry.on)
    .map((entry) => entry.score)
    .sort((a, b) => a - b);
  const ninth = offScores[Math.ceil(offScores.length * 0.9) - 1] ?? 0;
  // A hair above the score, so that a score on a step of 0.05 still falls below.
  const followUpThreshold = Math.min(best.threshold, Math.max(0.05, Math.ceil((ninth + 1e-9) * 20) / 20));
  return { threshold: best.threshold, followUpThreshold, separation: separationAt(scored, best.threshold) };
}
