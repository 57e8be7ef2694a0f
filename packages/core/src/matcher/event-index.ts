import FlatQueue from "flatqueue";
import type { EventState } from "./event";

/**
 * What an event was indexed under, its slot (a small integer the postings hold), and the
 * postings of its title and body terms in the order of its vectors (see `vectorNorm`).
 */
type Indexed = {
  event: EventState;
  slot: number;
  terms: string[];
  entities: string[];
  titlePostings: Set<number>[];
  bodyPostings: Set<number>[];
};

export type CandidateQuery = {
  /** The article's terms and entities (any order; the rarest are used). */
  terms: Iterable<string>;
  entities: Iterable<string>;
  time: number;
  windowMs: number;
  maxCandidates: number;
};

/**
 * What a theme's index holds: the events of the model's window, and never fewer than the newest
 * `minEvents`. A term's IDF is read from the events in the index, and needs enough of them to
 * tell a rare word from a common one: when a theme is quiet (a window with a few events), the
 * newest few hundred stand in, as they did before events left the index (none of them can be a
 * candidate: `candidates` still asks for the window).
 */
export const INDEX_WINDOW = { minEvents: 500 } as const;

// Only the rarest keys of an article look events up, and a key shared by too many events is
// no lead at all: together these keep a look-up's cost flat as the index grows.
const LOOKUP_TERMS = 14;
const LOOKUP_ENTITIES = 8;
const POSTINGS_FLOOR = 150;
const POSTINGS_SHARE = 0.05;

/**
 * The events the matcher knows, with inverted indexes from terms and entities to events.
 * Event frequency (how many events use a term) doubles as the IDF the signals weigh terms by.
 * With a window (`windowMs`), the index holds only the events that can still be candidates: an
 * event last seen more than the window before the newest time the index has seen (the latest
 * `lastSeen` of any event upserted) leaves it, so postings, slots and IDF are those of the
 * window, and a long-running matcher costs what a fresh one does.
 * Postings hold each event's slot rather than its id, so a look-up adds up its leads in typed
 * arrays: with 10,000 events a look-up walks thousands of postings, and string-keyed maps made
 * it most of the matcher's time.
 */
export class EventIndex {
  readonly events = new Map<string, EventState>();
  private readonly termPostings = new Map<string, Set<number>>();
  private readonly entityPostings = new Map<string, Set<number>>();
  private readonly indexed = new Map<string, Indexed>();
  /** By slot: the event's id (undefined while free), and its span as epoch ms. */
  private readonly slotIds: (string | undefined)[] = [];
  private readonly firstSeen: number[] = [];
  private readonly lastSeen: number[] = [];
  private readonly freeSlots: number[] = [];
  /** A look-up's running scores by slot; `marks` tells which belong to the current look-up. */
  private scores = new Float64Array(0);
  private marks = new Uint32Array(0);
  private lookUpMark = 0;
  /** Slots by their `lastSeen`, oldest first (one entry an upsert; entries of slots since changed are skipped). */
  private readonly byLastSeen = new FlatQueue<number>();
  private newestMs = Number.NEGATIVE_INFINITY;

  /**
   * `windowMs`: how long after its last article an event stays (by default, for ever);
   * `minEvents`: how many of the newest events stay however old (see `INDEX_WINDOW`).
   */
  constructor(
    readonly windowMs: number = Number.POSITIVE_INFINITY,
    readonly minEvents = 0,
  ) {}

  get size(): number {
    return this.events.size;
  }

  /** The newest time the index has seen (epoch ms): the latest `lastSeen` of the events upserted. */
  get newest(): number {
    return this.newestMs;
  }

  /**
   * Adds an event, or replaces the one with the same id. When its `lastSeen` is the newest the
   * index has seen, the events last seen more than the window before it leave. The event itself
   * always stays, however old: a caller that reads one back (an import into an old event, a
   * refresh after a stale commit) gets it, until the newest time moves on again.
   */
  upsert(event: EventState): void {
    this.add(event);
    const slot = (this.indexed.get(event.id) as Indexed).slot;
    const lastSeen = this.lastSeen[slot] as number;
    // An unreadable date (never a candidate) heads the queue and leaves once the window moves; it never moves it.
    this.byLastSeen.push(slot, queueTime(lastSeen));
    if (lastSeen > this.newestMs) {
      this.newestMs = lastSeen;
      this.evictBefore(lastSeen - this.windowMs);
    }
    // Entries of events upserted again pile up inside the window; past twice the events, the queue starts afresh.
    if (this.byLastSeen.length > 2 * this.events.size + 1024) this.rebuildQueue();
  }

  /**
   * Removes the events last seen before `horizon` (epoch ms), oldest first, while more than
   * `minEvents` remain, reading only the queue's head: the cost is that of the events removed,
   * not of those kept.
   */
  private evictBefore(horizon: number): void {
    const queue = this.byLastSeen;
    while (queue.length > 0 && (queue.peekValue() as number) < horizon) {
      const slot = queue.peek() as number;
      const id = this.slotIds[slot];
      // An entry of a slot since freed, or of an event since upserted with another time, says nothing now.
      const current = id !== undefined && queueTime(this.lastSeen[slot] as number) === queue.peekValue();
      if (current && this.events.size <= this.minEvents) return;
      queue.pop();
      if (current) this.remove(id);
    }
  }

  private rebuildQueue(): void {
    const queue = this.byLastSeen;
    queue.clear();
    for (const [slot, id] of this.slotIds.entries()) {
      const lastSeen = this.lastSeen[slot] as number;
      if (id !== undefined) queue.push(slot, queueTime(lastSeen));
    }
    queue.shrink();
  }

  private add(event: EventState): void {
    this.remove(event.id);
    const terms = [...new Set([...event.titleTerms.keys(), ...event.bodyTerms.keys()])];
    const entities = [...event.entities.keys()];
    const slot = this.freeSlots.pop() ?? this.slotIds.length;
    this.slotIds[slot] = event.id;
    this.firstSeen[slot] = Date.parse(event.firstSeen);
    this.lastSeen[slot] = Date.parse(event.lastSeen);
    // Each term's postings, kept at hand for the lists below (no second look-up in the large map).
    const posted = new Map<string, Set<number>>();
    for (const term of terms) posted.set(term, post(this.termPostings, term, slot));
    for (const entity of entities) post(this.entityPostings, entity, slot);
    // A term's postings stay the same set while the event is indexed (it is in them).
    const postingsOf = (term: string) => posted.get(term) as Set<number>;
    this.indexed.set(event.id, {
      event,
      slot,
      terms,
      entities,
      titlePostings: [...event.titleTerms.keys()].map(postingsOf),
      bodyPostings: [...event.bodyTerms.keys()].map(postingsOf),
    });
    this.events.set(event.id, event);
  }

  /** Forgets every event, and the newest time seen. */
  clear(): void {
    this.events.clear();
    this.byLastSeen.clear();
    this.newestMs = Number.NEGATIVE_INFINITY;
    this.termPostings.clear();
    this.entityPostings.clear();
    this.indexed.clear();
    this.slotIds.length = 0;
    this.firstSeen.length = 0;
    this.lastSeen.length = 0;
    this.freeSlots.length = 0;
  }

  /** Forgets an event (it left the working set). */
  remove(id: string): void {
    const previous = this.indexed.get(id);
    if (previous === undefined) return;
    for (const term of previous.terms) unpost(this.termPostings, term, previous.slot);
    for (const entity of previous.entities) unpost(this.entityPostings, entity, previous.slot);
    this.slotIds[previous.slot] = undefined;
    this.freeSlots.push(previous.slot);
    this.indexed.delete(id);
    this.events.delete(id);
  }

  /** A term's IDF (see `idf`): rare across events means telling. */
  termIdf = (term: string): number => idf(this.events.size, this.termPostings.get(term)?.size ?? 0);

  entityIdf = (key: string): number => idf(this.events.size, this.entityPostings.get(key)?.size ?? 0);

  /**
   * The IDF-weighted length of an indexed event's title or body vector: the sum idfNorm makes
   * with termIdf, term by term in the same order, but reading each term's postings from the
   * event's own list rather than looking every term up. Null when `event` is not the object
   * indexed under its id.
   */
  vectorNorm(event: EventState, which: "title" | "body"): number | null {
    const indexed = this.indexed.get(event.id);
    if (indexed === undefined || indexed.event !== event) return null;
    const postings = which === "title" ? indexed.titlePostings : indexed.bodyPostings;
    const vector = which === "title" ? event.titleTerms : event.bodyTerms;
    const events = this.events.size;
    let sum = 0;
    let index = 0;
    for (const weight of vector.values()) {
      const w = weight * idf(events, (postings[index] as Set<number>).size);
      sum += w * w;
      index += 1;
    }
    return Math.sqrt(sum);
  }

  /** Events that share the article's rarest terms or entities, inside the time window, best leads first. */
  candidates(query: CandidateQuery): EventState[] {
    if (query.maxCandidates <= 0) return [];
    const cap = Math.max(POSTINGS_FLOOR, this.events.size * POSTINGS_SHARE);
    const slots = this.slotIds.length;
    if (this.scores.length < slots) {
      this.scores = new Float64Array(Math.max(slots, 2 * this.scores.length));
      this.marks = new Uint32Array(this.scores.length);
      this.lookUpMark = 0;
    }
    this.lookUpMark += 1;
    if (this.lookUpMark === 0xffffffff) {
      this.marks.fill(0);
      this.lookUpMark = 1;
    }
    const { scores, marks, lookUpMark: mark } = this;
    // Slots in the order each first got a score: ties between equal scores keep that order.
    const touched: number[] = [];
    const lookUp = (keys: Iterable<string>, postings: Map<string, Set<number>>, idf: (key: string) => number, limit: number) => {
      const ranked = [...new Set(keys)]
        .map((key) => ({ key, ids: postings.get(key) }))
        .filter((entry): entry is { key: string; ids: Set<number> } => entry.ids !== undefined && entry.ids.size <= cap)
        .sort((a, b) => a.ids.size - b.ids.size)
        .slice(0, limit);
      for (const { key, ids } of ranked) {
        const weight = idf(key);
        for (const slot of ids) {
          if (marks[slot] !== mark) {
            marks[slot] = mark;
            scores[slot] = 0;
            touched.push(slot);
          }
          scores[slot] = (scores[slot] as number) + weight;
        }
      }
    };
    lookUp(query.terms, this.termPostings, this.termIdf, LOOKUP_TERMS);
    lookUp(query.entities, this.entityPostings, this.entityIdf, LOOKUP_ENTITIES);
    // The best `maxCandidates` by score, ties in the order the scores were first given (what a
    // stable sort of them all would keep), without sorting every event a key led to.
    const best: { slot: number; score: number }[] = [];
    for (const slot of touched) {
      const score = scores[slot] as number;
      const gap = Math.max(0, query.time - (this.lastSeen[slot] as number), (this.firstSeen[slot] as number) - query.time);
      // Written so that a gap that is not a number (an unreadable date) leaves the event out, as before.
      if (!(gap <= query.windowMs)) continue;
      if (best.length === query.maxCandidates && !(score > (best.at(-1) as { score: number }).score)) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1] as { score: number }).score < score) at -= 1;
      best.splice(at, 0, { slot, score });
      if (best.length > query.maxCandidates) best.pop();
    }
    return best.map((entry) => this.events.get(this.slotIds[entry.slot] as string) as EventState);
  }
}

/** A time as the eviction queue orders it: an unreadable one first. */
function queueTime(ms: number): number {
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** ln(1 + (N + 1) / (ef + 1)) for N events, ef of which carry the key. */
function idf(events: number, withKey: number): number {
  return Math.log(1 + (events + 1) / (withKey + 1));
}

/** Adds `id` to the postings of `key`, and returns them. */
function post(postings: Map<string, Set<number>>, key: string, id: number): Set<number> {
  let ids = postings.get(key);
  if (ids === undefined) {
    ids = new Set();
    postings.set(key, ids);
  }
  ids.add(id);
  return ids;
}

function unpost(postings: Map<string, Set<number>>, key: string, id: number): void {
  const ids = postings.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) postings.delete(key);
}
