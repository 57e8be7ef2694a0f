import {
  activeSecrets,
  blockedAddressKind,
  type EventChange,
  type EventState,
  isIpLiteral,
  judgeAttempt,
  MAX_ATTEMPTS,
  parseRetryAfter,
  planMessages,
  retryDelayMs,
  type SubscriptionFilter,
  signMessage,
  withoutGaps,
} from "@eventwire/core";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";

describe("address policy", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "cloud metadata"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fe80::1", "link-local"],
    ["fd00:ec2::254", "cloud metadata"],
    ["fc00::5", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::a00:1", "private"],
    ["64:ff9b::808:808", "IPv4-embedding"],
    ["64:ff9b::a9fe:a9fe", "cloud metadata"],
    ["169.254.170.2", "cloud metadata"],
    ["::7f00:1", "loopback"],
    ["::127.0.0.1", "loopback"],
    ["::a9fe:a9fe", "cloud metadata"],
    ["::a00:1", "private"],
    ["::808:808", "IPv4-embedding"],
    ["2002:a00:1::", "IPv4-embedding"],
    ["not an address", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(blockedAddressKind(address)).toBe(kind);
  });

  it.each(["8.8.8.8", "93.184.216.34", "2606:4700::1111"])("%s is public", (address) => {
    expect(blockedAddressKind(address)).toBeNull();
  });

  it("reads the decimal, hex and octal forms of an IPv4 address as URL parsing normalises them", () => {
    for (const url of ["http://2130706433/", "http://0x7f000001/", "http://017700000001/", "http://127.1/"]) {
      const host = new URL(url).hostname;
      expect(isIpLiteral(host)).toBe(true);
      expect(blockedAddressKind(host)).toBe("loopback");
    }
    expect(isIpLiteral("example.com")).toBe(false);
  });
});

describe("delivery policy", () => {
  it("retries on the schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up", () => {
    const delays = Array.from({ length: MAX_ATTEMPTS }, (_, n) => retryDelayMs(n + 1, () => 0.5));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, null]);
  });

  it("jitters by at most a tenth either way", () => {
    expect(retryDelayMs(1, () => 0)).toBe(4_500);
    expect(retryDelayMs(1, () => 1)).toBe(5_500);
  });

  it.each([
    [{ statusCode: 204, error: null, retryAfterMs: null }, 1, { kind: "delivered" }],
    [{ statusCode: 410, error: "gone", retryAfterMs: null }, 1, { kind: "disable" }],
    [{ statusCode: 500, error: "x", retryAfterMs: null }, 2, { kind: "retry", delayMs: 300_000 }],
    [{ statusCode: 429, error: "x", retryAfterMs: 90_000 }, 1, { kind: "retry", delayMs: 90_000 }],
    [{ statusCode: 500, error: "x", retryAfterMs: 90_000 }, 1, { kind: "retry", delayMs: 5_000 }],
    [{ statusCode: 301, error: "x", retryAfterMs: null }, 1, { kind: "retry", delayMs: 5_000 }],
    [{ statusCode: null, error: "timeout", retryAfterMs: null }, MAX_ATTEMPTS, { kind: "give-up" }],
  ] as const)("judges %j after attempt %i", (result, attempts, verdict) => {
    expect(judgeAttempt(result, attempts, () => 0.5)).toMatchObject(verdict);
  });

  it("reads Retry-After in seconds or as a date, within bounds", () => {
    const now = new Date("2026-05-04T10:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 04 May 2026 10:02:00 GMT", now)).toBe(120_000);
    expect(parseRetryAfter("0", now)).toBe(1_000);
    expect(parseRetryAfter("9999999", now)).toBe(86_400_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("signing", () => {
  it("signs with every active secret, so a receiver with either verifies during a rotation", () => {
    const oldSecret = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
    const newSecret = `whsec_${Buffer.alloc(32, 2).toString("base64")}`;
    const now = new Date();
    const secrets = activeSecrets(
      [
        { secret: newSecret, createdAt: now.toISOString(), expiresAt: null },
        { secret: oldSecret, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 1000).toISOString() },
        { secret: "whsec_expired", createdAt: now.toISOString(), expiresAt: new Date(now.getTime() - 1000).toISOString() },
      ],
      now,
    );
    expect(secrets).toEqual([newSecret, oldSecret]);
    const body = JSON.stringify({ type: "ping", timestamp: now.toISOString(), data: {} });
    const headers = signMessage(secrets, "msg_1", now, body);
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const secret of secrets) expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: "ping" });
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 3).toString("base64")}`).verify(body, headers)).toThrow();
  });
});

describe("planning messages for a change", () => {
  const event = {
    id: "e".repeat(32),
    title: "Dam taken",
    outlets: [
      { key: "a", name: "a" },
      { key: "b", name: "b" },
    ],
    entities: new Map(),
    titleTerms: new Map(),
    bodyTerms: new Map(),
  } as unknown as EventState;
  const filter: SubscriptionFilter = { theme: "isis-syria", eventIds: null, entities: null, keywords: null, minSources: null };
  const change = (before: number | null, after: number, kind: EventChange["kind"] = "updated"): EventChange => ({
    themeId: "isis-syria",
    seq: 5,
    at: "2026-05-04T10:00:00Z",
    eventId: event.id,
    kind,
    articleId: "a1",
    claimedArticleIds: [],
    before: before === null ? null : { articleCount: 1, sourceCount: before },
    after: { articleCount: 2, sourceCount: after },
  });
  const compiled = { terms: [], entityKeys: null, minSources: 0, until: null };
  const plan = (
    c: EventChange,
    f: Partial<SubscriptionFilter>,
    types = ["event.updated", "event.corroborated", "article.added"],
  ) => planMessages(c, { types: types as never, filter: { ...filter, ...f }, startSeq: 0 }, event, compiled).map((m) => m.type);

  it("sends the change, its article, and corroboration when the sources reach the threshold", () => {
    expect(plan(change(1, 2), {})).toEqual(["event.updated", "article.added", "event.corroborated"]);
    expect(plan(change(2, 2), {})).toEqual(["event.updated", "article.added"]);
    expect(plan(change(null, 1, "created"), {}, ["event.created"])).toEqual(["event.created"]);
  });

  it("holds everything until minSources, and corroborates at it", () => {
    expect(plan(change(1, 2), { minSources: 3 })).toEqual([]);
    expect(plan(change(2, 3), { minSources: 3 })).toEqual(["event.updated", "article.added", "event.corroborated"]);
    expect(plan(change(3, 3), { minSources: 3 })).toEqual(["event.updated", "article.added"]);
  });

  it("skips changes before the subscription and events it did not ask for", () => {
    expect(planMessages(change(1, 2), { types: ["event.updated"], filter, startSeq: 5 }, event, compiled)).toEqual([]);
    expect(plan(change(1, 2), { eventIds: ["f".repeat(32)] })).toEqual([]);
    expect(plan(change(1, 2), { theme: "other" })).toEqual([]);
  });
});

describe("reading the change log", () => {
  const at = (seq: number, time: string): EventChange => ({
    themeId: "isis-syria",
    seq,
    at: time,
    eventId: `e${seq}`,
    kind: "updated",
    articleId: `a${seq}`,
    claimedArticleIds: [],
    before: null,
    after: { articleCount: 1, sourceCount: 1 },
  });
  const now = new Date("2026-05-04T10:00:00Z");

  it("takes the changes that follow the position without a gap", () => {
    const recent = "2026-05-04T09:59:59Z";
    expect(withoutGaps(4, [at(5, recent), at(6, recent), at(7, recent)], now).map((c) => c.seq)).toEqual([5, 6, 7]);
    // Part of a commit seen: 6 not yet, so 7 and 8 wait to be read again.
    expect(withoutGaps(4, [at(5, recent), at(7, recent), at(8, recent)], now).map((c) => c.seq)).toEqual([5]);
    expect(withoutGaps(4, [at(6, recent)], now)).toEqual([]);
  });

  it("takes a gap as lasting once the change after it is a minute old (the log's expiry)", () => {
    const old = "2026-05-04T09:58:59Z";
    expect(withoutGaps(4, [at(9, old), at(10, old), at(12, "2026-05-04T09:59:30Z")], now).map((c) => c.seq)).toEqual([9, 10]);
  });
});
