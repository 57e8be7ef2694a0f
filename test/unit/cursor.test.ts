import { ApiError, decodeCursor, encodeCursor } from "@eventwire/api";
import { describe, expect, it } from "vitest";

const secret = "cursor-secret-for-tests";
const key = { pk: "ARTICLE#1", sk: "ARTICLE", gsi1pk: "ARTICLES", gsi1sk: "2026-05-04T10:00:00.000Z#1" };

function rejects(cursor: string, scope = "articles", usedSecret = secret) {
  try {
    decodeCursor(usedSecret, scope, cursor);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    return;
  }
  throw new Error(`cursor ${cursor} was accepted`);
}

describe("cursors", () => {
  it("round-trips a key", () => {
    expect(decodeCursor(secret, "articles", encodeCursor(secret, "articles", key))).toEqual(key);
  });

  describe("security", () => {
    it("refuses a cursor whose key was changed", () => {
      const [, signature] = encodeCursor(secret, "articles", key).split(".");
      const forged = Buffer.from(JSON.stringify({ ...key, gsi1sk: "9999" })).toString("base64url");
      rejects(`${forged}.${signature}`);
    });
    it("refuses a cursor from another listing or another secret", () => {
      const cursor = encodeCursor(secret, "articles", key);
      rejects(cursor, "events");
      rejects(cursor, "articles", "another-secret-entirely");
    });
    it.each(["", "abc", "a.b.c", "....", "e30.AAAA"])("refuses garbage %j", (cursor) => {
      rejects(cursor);
    });
  });
});
