import { gunzipSync, gzipSync } from "node:zlib";
import type { EntityType, EventGrowth, EventMember, EventOutlet, EventState } from "@eventwire/core";
import type { Item } from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION } from "./table";

const round = (value: number) => Math.round(value * 1e5) / 1e5;
const weightsToObject = (weights: Map<string, number>) =>
  Object.fromEntries([...weights].map(([term, weight]) => [term, round(weight)]));
const objectToWeights = (value: unknown) => new Map(Object.entries((value ?? {}) as Record<string, number>));

/** What nothing queries of an event: weights, members and outlets, kept as one JSON attribute. */
type PackedState = {
  centralTerms: Record<string, number>;
  titleTerms: Record<string, number>;
  bodyTerms: Record<string, number>;
  entities: Record<string, { type: EntityType; weight: number }>;
  members: EventMember[];
  outlets: EventOutlet[];
  /** Per term, the words it was written as and how often (absent on items written before). */
  termWords?: Record<string, Record<string, number>>;
  /** Articles per hour and per day (absent on items written before). */
  growth?: EventGrowth;
};

/**
 * An event as an item. The matcher's state goes in one attribute rather than nested maps: nothing
 * queries inside it, and one value is far cheaper to write and read than hundreds of map entries
 * (a tenth of the write time on DynamoDB Local). It is JSON, gzipped (`stateGz`, binary): an
 * event is rewritten at every commit that touches it, and its state is most of its bytes (about
 * 15 KB of JSON for 40 members, 3.4 times smaller gzipped at level 1, in 0.1 ms), which DynamoDB
 * bills a write by, twice over in a transaction and once more for the index it is in.
 */
export function eventToItem(event: EventState): Item {
  const state: PackedState = {
    centralTerms: weightsToObject(event.centralTerms),
    titleTerms: weightsToObject(event.titleTerms),
    bodyTerms: weightsToObject(event.bodyTerms),
    entities: Object.fromEntries(
      [...event.entities].map(([key, entry]) => [key, { type: entry.type, weight: round(entry.weight) }]),
    ),
    members: event.members,
    outlets: event.outlets,
    ...(event.termWords === undefined
      ? {}
      : { termWords: Object.fromEntries([...event.termWords].map(([term, words]) => [term, Object.fromEntries(words)])) }),
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
    stateGz: gzipSync(JSON.stringify(state), { level: 1 }),
  };
}

/**
 * The matcher's state of an event item. Items written before `stateGz` keep it as a JSON string
 * (`state`), and older ones as maps.
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
  // Items written before outlets were read count sources by id (`sourceIds`), and their
  // members name no outlet: each original counted for its source.
  const legacyIds = Array.from((item.sourceIds ?? []) as Iterable<unknown>, String);
  const members = ((packed.members ?? []) as Partial<EventMember>[]).map(
    (member): EventMember =>
      member.outlet === undefined
        ? {
            ...(member as EventMember),
            outlet: (member.copyOf ?? null) === null ? (member.sourceId ?? null) : null,
            credit: null,
          }
        : (member as EventMember),
  );
  return {
    centralTerms: (packed.centralTerms ?? {}) as Record<string, number>,
    titleTerms: (packed.titleTerms ?? {}) as Record<string, number>,
    bodyTerms: (packed.bodyTerms ?? {}) as Record<string, number>,
    entities: (packed.entities ?? {}) as PackedState["entities"],
    members,
    outlets: (packed.outlets as EventOutlet[] | undefined) ?? legacyIds.map((id) => ({ key: id, name: id })),
    ...(packed.termWords === undefined ? {} : { termWords: packed.termWords as PackedState["termWords"] }),
    ...(packed.growth === undefined ? {} : { growth: packed.growth as EventGrowth }),
  };
}

/** An event item read back into the matcher's shape. */
export function eventFromItem(item: Item): EventState {
  const state = unpackState(item);
  return {
    id: String(item.id),
    theme: String(item.theme),
    version: Number(item.version),
    seq: Number(item.seq),
    title: String(item.title),
    centralArticleId: String(item.centralArticleId),
    centralTerms: objectToWeights(state.centralTerms),
    centralScore: Number(item.centralScore),
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    articleCount: Number(item.articleCount),
    originalCount: Number(item.originalCount),
    outlets: state.outlets,
    titleTerms: objectToWeights(state.titleTerms),
    bodyTerms: objectToWeights(state.bodyTerms),
    entities: new Map(Object.entries(state.entities)),
    members: state.members,
    ...(state.termWords === undefined
      ? {}
      : { termWords: new Map(Object.entries(state.termWords).map(([term, words]) => [term, new Map(Object.entries(words))])) }),
    ...(state.growth === undefined ? {} : { growth: state.growth }),
  };
}
