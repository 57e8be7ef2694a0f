import type { EventState } from "./event";

type Indexed = { terms: string[]; entities: string[] };

export type CandidateQuery = {
  /** The article's terms and entities (any order; the rarest are used). */
  terms: Iterable<string>;
  entities: Iterable<string>;
  time: number;
  windowMs: number;
  maxCandidates: number;
};

// Only the rarest keys of an article look events up, and a key shared by too many events is
// no lead at all: together these keep a look-up's cost flat as the index grows.
const LOOKUP_TERMS = 14;
const LOOKUP_ENTITIES = 8;
const POSTINGS_FLOOR = 150;
const POSTINGS_SHARE = 0.05;

/**
 * The events the matcher knows, with inverted indexes from terms and entities to events.
 * Event frequency (how many events use a term) doubles as the IDF the signals weigh terms by.
 */
export class EventIndex {
  readonly events = new Map<string, EventState>();
  private readonly termPostings = new Map<string, Set<string>>();
  private readonly entityPostings = new Map<string, Set<string>>();
  private readonly indexed = new Map<string, Indexed>();

  get size(): number {
    return this.events.size;
  }

  /** Adds an event, or replaces the one with the same id. */
  upsert(event: EventState): void {
    this.remove(event.id);
    const terms = [...new Set([...event.titleTerms.keys(), ...event.bodyTerms.keys()])];
    const entities = [...event.entities.keys()];
    for (const term of terms) post(this.termPostings, term, event.id);
    for (const entity of entities) post(this.entityPostings, entity, event.id);
    this.indexed.set(event.id, { terms, entities });
    this.events.set(event.id, event);
  }

  /** Forgets every event. */
  clear(): void {
    this.events.clear();
    this.termPostings.clear();
    this.entityPostings.clear();
    this.indexed.clear();
  }

  /** Forgets an event (it left the working set). */
  remove(id: string): void {
    const previous = this.indexed.get(id);
    if (previous === undefined) return;
    for (const term of previous.terms) unpost(this.termPostings, term, id);
    for (const entity of previous.entities) unpost(this.entityPostings, entity, id);
    this.indexed.delete(id);
    this.events.delete(id);
  }

  /** ln(1 + (N + 1) / (ef + 1)): rare across events means telling. */
  termIdf = (term: string): number => Math.log(1 + (this.events.size + 1) / ((this.termPostings.get(term)?.size ?? 0) + 1));

  entityIdf = (key: string): number => Math.log(1 + (this.events.size + 1) / ((this.entityPostings.get(key)?.size ?? 0) + 1));

  /** Events that share the article's rarest terms or entities, inside the time window, best leads first. */
  candidates(query: CandidateQuery): EventState[] {
    const cap = Math.max(POSTINGS_FLOOR, this.events.size * POSTINGS_SHARE);
    const scores = new Map<string, number>();
    const lookUp = (keys: Iterable<string>, postings: Map<string, Set<string>>, idf: (key: string) => number, limit: number) => {
      const ranked = [...new Set(keys)]
        .map((key) => ({ key, ids: postings.get(key) }))
        .filter((entry): entry is { key: string; ids: Set<string> } => entry.ids !== undefined && entry.ids.size <= cap)
        .sort((a, b) => a.ids.size - b.ids.size)
        .slice(0, limit);
      for (const { key, ids } of ranked) {
        const weight = idf(key);
        for (const id of ids) scores.set(id, (scores.get(id) ?? 0) + weight);
      }
    };
    lookUp(query.terms, this.termPostings, this.termIdf, LOOKUP_TERMS);
    lookUp(query.entities, this.entityPostings, this.entityIdf, LOOKUP_ENTITIES);
    const inWindow: { event: EventState; score: number }[] = [];
    for (const [id, score] of scores) {
      const event = this.events.get(id);
      if (event === undefined) continue;
      const gap = Math.max(0, query.time - Date.parse(event.lastSeen), Date.parse(event.firstSeen) - query.time);
      if (gap <= query.windowMs) inWindow.push({ event, score });
    }
    return inWindow
      .sort((a, b) => b.score - a.score)
      .slice(0, query.maxCandidates)
      .map((entry) => entry.event);
  }
}

function post(postings: Map<string, Set<string>>, key: string, id: string): void {
  let ids = postings.get(key);
  if (ids === undefined) {
    ids = new Set();
    postings.set(key, ids);
  }
  ids.add(id);
}

function unpost(postings: Map<string, Set<string>>, key: string, id: string): void {
  const ids = postings.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) postings.delete(key);
}
