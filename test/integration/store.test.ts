import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Article, EventState } from "@eventwire/core";
import { createTableInput, ensureTable, keys, TABLE_SCHEMA } from "@eventwire/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testArticle } from "../support/articles";
import { storeStory } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";
import { DAM_STORY } from "../support/stories";

let db: TestStore;

beforeAll(async () => {
  db = await createTestStore();
});

afterAll(async () => {
  await db.drop();
});

function article(index: number, text: string): Article {
  return testArticle(
    {
      title: `Long story ${index}`,
      link: `https://long.example/${index}`,
      date: `2026-05-01T00:${String(index).padStart(2, "0")}:00Z`,
      contentHtml: text,
    },
    { sourceId: "long-source", sourceTitle: "Long Reads", feedLanguage: "ar" },
  );
}

/** An event's state as items written before it was split held it, in one JSON object. */
function olderState(event: EventState) {
  return {
    centralTerms: Object.fromEntries(event.centralTerms),
    titleTerms: Object.fromEntries(event.titleTerms),
    bodyTerms: Object.fromEntries(event.bodyTerms),
    entities: Object.fromEntries(event.entities),
    members: event.members,
    outlets: event.outlets,
    ...(event.termWords === undefined
      ? {}
      : { termWords: Object.fromEntries([...event.termWords].map(([term, words]) => [term, Object.fromEntries(words)])) }),
    ...(event.growth === undefined ? {} : { growth: event.growth }),
  };
}

describe("store", () => {
  it("stores an article once; a repeat is a no-op that reports it exists", async () => {
    const one = article(1, "<p>Body</p>");
    expect(await db.store.articles.putIfAbsent(one)).toBe("created");
    expect(await db.store.articles.putIfAbsent({ ...one, title: "Changed" })).toBe("exists");
    expect(await db.store.articles.get(one.id)).toEqual({ ...one, updatedAt: null });
  });

  it("lists a whole feed's worth of long articles in one page, without their text", async () => {
    // 30 articles of 20,000 two-byte characters: 1.2 MB of text, more than one Query page
    // could hold if listings read it.
    const long = "ش".repeat(20_000);
    const articles = Array.from({ length: 30 }, (_, index) => article(index + 10, `<p>${long}</p>`));
    for (const item of articles) await db.store.articles.putIfAbsent(item);
    const page = await db.store.articles.listBySource("long-source", { limit: 30 });
    expect(page.items).toHaveLength(30);
    expect(page.items.every((item) => !("text" in item))).toBe(true);
    expect((await db.store.articles.get(articles[0]?.id ?? ""))?.text).toHaveLength(20_000);
  });

  it("stores an event's matcher state gzipped in three parts, reads the members part only when asked, and names a part it cannot read", async () => {
    const { event } = await storeStory(db.store, DAM_STORY);
    const { Item: packed } = await db.clients.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.event(event.id) }));
    for (const part of ["indexGz", "membersGz"]) expect(packed?.[part]).toBeInstanceOf(Uint8Array);
    // The words its terms were written as: a part of their own, for an event that keeps them.
    expect(packed?.wordsGz instanceof Uint8Array).toBe(event.termWords !== undefined);
    expect(packed).not.toHaveProperty("stateGz");
    expect(packed).not.toHaveProperty("state");
    expect(await db.store.events.get(event.id)).toEqual(event);
    // A members part that cannot be read: the event still reads (a cold start indexes it), and
    // its members name the event and the part when they are first used.
    await db.clients.doc.send(
      new PutCommand({ TableName: db.tableName, Item: { ...packed, membersGz: new Uint8Array([1, 2, 3]) } }),
    );
    const lazy = await db.store.events.get(event.id);
    expect(lazy?.titleTerms).toEqual(event.titleTerms);
    expect(() => lazy?.members).toThrow(`event ${event.id}: its matcher state cannot be read (membersGz:`);
    // An index part that cannot be read is an error when the event is read, not a bare zlib one.
    await db.clients.doc.send(
      new PutCommand({ TableName: db.tableName, Item: { ...packed, indexGz: new Uint8Array([1, 2, 3]) } }),
    );
    await expect(db.store.events.get(event.id)).rejects.toThrow(`event ${event.id}: its matcher state cannot be read (indexGz:`);
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: packed }));
  });

  it("reads events written in the three older shapes: one gzipped state, a JSON string before that, maps before that", async () => {
    const { event } = await storeStory(db.store, {
      title: `${DAM_STORY.title} (older shapes)`,
      articles: DAM_STORY.articles.map((written) => ({ ...written, title: `${written.title}, again` })),
    });
    const { Item: packed } = await db.clients.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.event(event.id) }));
    const { indexGz: _, membersGz: __, wordsGz: ___, ...rest } = packed as Record<string, unknown>;
    const json = JSON.stringify(olderState(event));
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...rest, stateGz: gzipSync(json) } }));
    expect(await db.store.events.get(event.id)).toEqual(event);
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...rest, state: json } }));
    expect(await db.store.events.get(event.id)).toEqual(event);
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...rest, ...JSON.parse(json) } }));
    expect(await db.store.events.get(event.id)).toEqual(event);
    // A state that cannot be unpacked is an error naming the event, not a bare zlib one.
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...rest, stateGz: new Uint8Array([1, 2, 3]) } }));
    await expect(db.store.events.get(event.id)).rejects.toThrow(`event ${event.id}: its matcher state cannot be read`);
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: packed }));
  });

  it("reads an event stored before outlets were counted: its source ids stand for outlets, its originals count for their sources", async () => {
    const { event } = await storeStory(db.store, {
      title: "Convoy ambushed near Palmyra",
      articles: [
        { source: "north-desk.example", published: "2026-05-03T08:00:00Z", title: "Convoy ambushed on the desert road" },
        { source: "wire.example", published: "2026-05-03T09:00:00Z", title: "Eleven soldiers killed in convoy ambush" },
        { source: "north-desk.example", published: "2026-05-03T12:00:00Z", title: "Army names the soldiers killed" },
      ],
    });
    const { Item: packed } = await db.clients.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.event(event.id) }));
    const { indexGz: _, membersGz: __, wordsGz: ___, sourceCount, ...rest } = packed as Record<string, unknown>;
    expect(sourceCount).toBe(event.outlets.length);
    // The older shape: no outlets in the state, members naming none, the source ids beside it.
    const { outlets: ____, ...state } = olderState(event);
    const members = state.members.map(({ outlet: _o, credit: _c, ...member }, index) =>
      index === 0 ? { ...member, copyOf: "someone-else" } : member,
    );
    const sourceIds = [...new Set(event.members.map((member) => member.sourceId))];
    await db.clients.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...rest, sourceCount, sourceIds, state: JSON.stringify({ ...state, members }) },
      }),
    );
    const read = await db.store.events.get(event.id);
    expect(read?.outlets).toEqual(sourceIds.map((id) => ({ key: id, name: id })));
    expect(read?.members.map((member) => member.outlet)).toEqual([
      null,
      ...event.members.slice(1).map((member) => member.sourceId),
    ]);
    expect(read?.members.every((member) => member.credit === null)).toBe(true);
    await db.clients.doc.send(new PutCommand({ TableName: db.tableName, Item: packed }));
  });

  it("returns null for an article that is not there", async () => {
    expect(await db.store.articles.get("0".repeat(32))).toBeNull();
  });

  it("ensureTable adds indexes a table made by an older schema lacks, and is idempotent", async () => {
    const name = `old-${randomBytes(4).toString("hex")}`;
    const full = createTableInput(name);
    const gsi1 = full.GlobalSecondaryIndexes.filter((index) => index.IndexName === "gsi1");
    await db.clients.client.send(
      new CreateTableCommand({
        ...full,
        AttributeDefinitions: full.AttributeDefinitions.filter((d) => !/^gsi[234]/.test(d.AttributeName)),
        GlobalSecondaryIndexes: gsi1,
      }),
    );
    expect(await ensureTable(db.clients.client, name)).toEqual({ created: false, indexesAdded: ["gsi2", "gsi3", "gsi4"] });
    const described = await db.clients.client.send(new DescribeTableCommand({ TableName: name }));
    expect((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual([
      "gsi1",
      "gsi2",
      "gsi3",
      "gsi4",
    ]);
    expect(await ensureTable(db.clients.client, name)).toEqual({ created: false, indexesAdded: [] });
    await db.clients.client.send(new DeleteTableCommand({ TableName: name }));
  });

  it("answers a match commit DynamoDB refuses for good (an item over 400 KB) as refused, and writes nothing", async () => {
    const huge = { ...article(40, "<p>Short</p>"), text: "x".repeat(450_000) };
    const outcome = await db.store.events.commitMatches({
      themeId: "refused-theme",
      expectedSeq: 0,
      guarded: false,
      articles: [{ article: huge, change: null }],
      events: [],
      reconsidered: [],
      now: new Date("2026-05-01T00:00:00Z"),
    });
    expect(outcome).toMatchObject({ kind: "refused", error: { name: "ValidationException" } });
    expect(await db.store.articles.get(huge.id)).toBeNull();
  });

  it("ensureTable creates a missing table with TTL on", async () => {
    const name = `new-${randomBytes(4).toString("hex")}`;
    expect(await ensureTable(db.clients.client, name)).toEqual({ created: true, indexesAdded: [] });
    const ttl = await db.clients.client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: TABLE_SCHEMA.ttlAttribute, TimeToLiveStatus: "ENABLED" });
    await db.clients.client.send(new DeleteTableCommand({ TableName: name }));
  });
});
