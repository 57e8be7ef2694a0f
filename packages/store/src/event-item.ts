import { gunzipSync, gzipSync } from "node:zlib";
import type { EntityType, EventGrowth, EventMember, EventOutlet, EventState } from "@eventwire/core";
import type { Item } from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION } from "./table";

const round = (value: number) => Math.round(value * 1e5) / 1e5;
const objectToWeights = (value: unknown) => new Map(Object.entries((value ?? {}) as Record<string, number>));

/** Weights as two lists, keys and values in the same order: far quicker to parse than an object of hundreds of keys. */
type Columns = [string[], number[]];
const weightsToColumns = (weights: ReadonlyMap<string, number>): Columns => [
  [...weights.keys()],
  [...weights.values()].map(round),
];

function columnsToWeights(columns: unknown, what: string): Map<string, number> {
  const [names, values] = columns as Columns;
  if (!Array.isArray(names) || !Array.isArray(values) || names.length !== values.length)
    throw new Error(`its ${what} are not two lists of one length`);
  const weights = new Map<string, number>();
  for (const [index, name] of names.entries()) weights.set(name, values[index] as number);
  return weights;
}

/**
 * What the matcher's index reads of every event it holds (`indexGz`): the term and entity
 * weights it looks events up by, and the outlets an event's summary counts. Columns, not
 * objects: a cold start parses thousands of these.
 */
type IndexPart = {
  titleTerms: Columns;
  bodyTerms: Columns;
  /** Keys, types and weights. */
  entities: [string[], EntityType[], number[]];
  outlets: EventOutlet[];
};

/** What only a commit reads (or the copy check, of a candidate's members): `membersGz`, unpacked on first use. */
type MembersPart = {
  centralTerms: Columns;
  members: EventMember[];
  growth?: EventGrowth;
};

/** Per term, the words it was written as and how often (`wordsGz`, unpacked when an event is shown or grown). */
type WordsPart = Record<string, Record<string, number>>;

/** What nothing queries of an event, as items written before the state was split kept it (`stateGz`, `state`, or maps). */
type PackedState = {
  centralTerms: Record<string, number>;
  titleTerms: Record<string, number>;
  bodyTerms: Record<string, number>;
  entities: Record<string, { type: EntityType; weight: number }>;
  members: EventMember[];
  outlets: EventOutlet[];
  termWords?: WordsPart;
  growth?: EventGrowth;
};

const gzipJson = (value: unknown) => gzipSync(JSON.stringify(value), { level: 1 });

/** `read`'s answer, or its error as one naming the event and the attribute it read. */
function readPart<T>(eventId: string, attribute: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error(`event ${eventId}: its matcher state cannot be read (${attribute}: ${(error as Error).message})`);
  }
}

/** A gzipped JSON attribute, parsed (throws on anything else). */
function gunzipJson(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) throw new Error("not binary");
  return JSON.parse(gunzipSync(value).toString("utf8"));
}

/**
 * An event as an item. The matcher's state is kept as gzipped JSON rather than nested maps:
 * nothing queries inside it, and one value is far cheaper to write and read than hundreds of map
 * entries (a tenth of the write time on DynamoDB Local); an event is rewritten at every commit
 * that touches it, and its state is most of its bytes, which DynamoDB bills a write by.
 * It is split in three by who reads it (`indexGz`, `membersGz`, `wordsGz`): a cold ingest
 * worker reads thousands of events and needs only what its index looks events up by; members,
 * central terms and words are unpacked on first use, for the few events a new article is
 * scored against or that are shown. Unsplit, parsing every member list was most of a cold
 * start's time on a year of news (about 1.5 s for 5,000 events). The three parts store no
 * more than one did (the lists are smaller than objects, which pays for the extra gzip headers).
 */
export function eventToItem(event: EventState): Item {
  const entities = [...event.entities];
  const index: IndexPart = {
    titleTerms: weightsToColumns(event.titleTerms),
    bodyTerms: weightsToColumns(event.bodyTerms),
    entities: [
      entities.map(([key]) => key),
      entities.map(([, entry]) => entry.type),
      entities.map(([, entry]) => round(entry.weight)),
    ],
    outlets: event.outlets,
  };
  const members: MembersPart = {
    centralTerms: weightsToColumns(event.centralTerms),
    members: event.members,
    ...(event.growth === undefined ? {} : { growth: event.growth }),
  };
  return {
    ...keys.event(event.id),
    gsi2pk: keys.themeEvents(event.theme),
    gsi2sk: keys.byTime(event.lastSeen, event.id),
    type: ENTITY.event,
    schemaVersion: SCHEMA_VERSION,
    id: event.id,
    theme: event.theme,
    version: event.version,
    seq: event.seq,
    title: event.title,
    centralArticleId: event.centralArticleId,
    centralScore: round(event.centralScore),
    firstSeen: event.firstSeen,
    lastSeen: event.lastSeen,
    articleCount: event.articleCount,
    originalCount: event.originalCount,
    // Kept beside the state for the `minSources` filter, which reads it in the query.
    sourceCount: event.outlets.length,
    indexGz: gzipJson(index),
    membersGz: gzipJson(members),
    ...(event.termWords === undefined
      ? {}
      : {
          wordsGz: gzipJson(Object.fromEntries([...event.termWords].map(([term, words]) => [term, Object.fromEntries(words)]))),
        }),
  };
}

/**
 * Members as read. Members written before outlets were read name none: each original counted
 * for its own source (the item's `sourceIds` stand for its outlets, see `unpackState`).
 */
function readMembers(members: unknown): EventMember[] {
  return ((members ?? []) as Partial<EventMember>[]).map(
    (member): EventMember =>
      member.outlet === undefined
        ? {
            ...(member as EventMember),
            outlet: (member.copyOf ?? null) === null ? (member.sourceId ?? null) : null,
            credit: null,
          }
        : (member as EventMember),
  );
}

const wordsToMaps = (words: WordsPart) =>
  new Map(Object.entries(words).map(([term, counts]) => [term, new Map(Object.entries(counts))]));

/** The fields every event item has outside its state. */
function eventHead(item: Item) {
  return {
    id: String(item.id),
    theme: String(item.theme),
    version: Number(item.version),
    seq: Number(item.seq),
    title: String(item.title),
    centralArticleId: String(item.centralArticleId),
    centralScore: Number(item.centralScore),
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    articleCount: Number(item.articleCount),
    originalCount: Number(item.originalCount),
  };
}

type LazyFields = Pick<EventState, "centralTerms" | "members" | "growth" | "termWords">;

/**
 * Defines `names` on `event` as own, enumerable properties read from `load` on first use (once
 * for all of them), then kept as plain values: a spread or a write sees them as any other field.
 */
function defineLazy<K extends keyof LazyFields>(event: EventState, names: readonly K[], load: () => Pick<LazyFields, K>): void {
  let loaded: Pick<LazyFields, K> | undefined;
  const settle = (name: K, value: unknown) =>
    Object.defineProperty(event, name, { value, writable: true, enumerable: true, configurable: true });
  for (const name of names) {
    Object.defineProperty(event, name, {
      enumerable: true,
      configurable: true,
      get() {
        loaded ??= load();
        const value = loaded[name];
        settle(name, value);
        return value;
      },
      set(value: unknown) {
        settle(name, value);
      },
    });
  }
}

/**
 * An item written with its state split (`indexGz`): the index part now, the rest on first use
 * (the event keeps only those two attributes' bytes until then, not the item).
 */
function splitEventFromItem(item: Item): EventState {
  const id = String(item.id);
  const { titleTerms, bodyTerms, entities, outlets } = readPart(id, "indexGz", () => {
    const index = gunzipJson(item.indexGz) as IndexPart;
    const [entityKeys, types, weights] = index.entities;
    if (!Array.isArray(index.outlets)) throw new Error("its outlets are not a list");
    return {
      titleTerms: columnsToWeights(index.titleTerms, "title terms"),
      bodyTerms: columnsToWeights(index.bodyTerms, "body terms"),
      entities: new Map(entityKeys.map((key, at) => [key, { type: types[at] as EntityType, weight: weights[at] as number }])),
      outlets: index.outlets,
    };
  });
  const event = { ...eventHead(item), outlets, titleTerms, bodyTerms, entities } as EventState;
  const { membersGz, wordsGz } = item;
  defineLazy(event, ["centralTerms", "members", "growth"], () =>
    readPart(id, "membersGz", () => {
      const part = gunzipJson(membersGz) as MembersPart;
      return {
        centralTerms: columnsToWeights(part.centralTerms, "central terms"),
        members: readMembers(part.members),
        growth: part.growth,
      };
    }),
  );
  if (wordsGz !== undefined)
    defineLazy(event, ["termWords"], () =>
      readPart(id, "wordsGz", () => ({ termWords: wordsToMaps(gunzipJson(wordsGz) as WordsPart) })),
    );
  return event;
}

/**
 * The matcher's state of an item written before it was split: `stateGz` (one gzipped JSON),
 * a JSON string before that (`state`), and maps before that.
 */
function unpackState(item: Item): PackedState {
  let packed: Record<string, unknown> = item;
  try {
    if (item.stateGz instanceof Uint8Array) packed = JSON.parse(gunzipSync(item.stateGz).toString("utf8"));
    else if (typeof item.state === "string") packed = JSON.parse(item.state);
  } catch (error) {
    throw new Error(`event ${String(item.id)}: its matcher state cannot be read (${(error as Error).message})`);
  }
  if (typeof packed !== "object" || packed === null)
    throw new Error(`event ${String(item.id)}: its matcher state is not an object`);
  const legacyIds = Array.from((item.sourceIds ?? []) as Iterable<unknown>, String);
  return {
    centralTerms: (packed.centralTerms ?? {}) as Record<string, number>,
    titleTerms: (packed.titleTerms ?? {}) as Record<string, number>,
    bodyTerms: (packed.bodyTerms ?? {}) as Record<string, number>,
    entities: (packed.entities ?? {}) as PackedState["entities"],
    members: readMembers(packed.members),
    outlets: (packed.outlets as EventOutlet[] | undefined) ?? legacyIds.map((id) => ({ key: id, name: id })),
    ...(packed.termWords === undefined ? {} : { termWords: packed.termWords as WordsPart }),
    ...(packed.growth === undefined ? {} : { growth: packed.growth as EventGrowth }),
  };
}

/** An event item read back into the matcher's shape (see `eventToItem`; older items are read whole). */
export function eventFromItem(item: Item): EventState {
  if (item.indexGz !== undefined) return splitEventFromItem(item);
  const state = unpackState(item);
  return {
    ...eventHead(item),
    centralTerms: objectToWeights(state.centralTerms),
    outlets: state.outlets,
    titleTerms: objectToWeights(state.titleTerms),
    bodyTerms: objectToWeights(state.bodyTerms),
    entities: new Map(Object.entries(state.entities)),
    members: state.members,
    ...(state.termWords === undefined ? {} : { termWords: wordsToMaps(state.termWords) }),
    ...(state.growth === undefined ? {} : { growth: state.growth }),
  };
}
