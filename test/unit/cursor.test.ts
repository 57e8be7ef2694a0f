import { createHmac } from "node:crypto";
import { ApiError, decodeCursor, encodeCursor } from "@eventwire/api";
import { describe, expect, it } from "vitest";

const secret = "cursor-secret-for-tests";
const key = { pk: "ARTICLE#1", sk: "ARTICLE", gsi1pk: "ARTICLES", gsi1sk: "2026-05-04T10:00:00.000Z#1" };

/** The 400 a cursor is refused with; fails the test when it is accepted. */
function refusal(cursor: string, scope = "articles", usedSecret = secret, parameter?: string): ApiError {
  try {
    decodeCursor(usedSecret, scope, cursor, parameter);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).code).toBe("invalid_parameter");
    return error as ApiError;
  }
  throw new Error(`cursor ${cursor} was accepted`);
}

/** The cursor with one byte of its decoded form changed. */
function flipped(cursor: string, index: number): string {
  const bytes = Buffer.from(cursor, "base64url");
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString("base64url");
}

describe("cursors", () => {
  describe("happy", () => {
    it("round-trips a key", () => {
      expect(decodeCursor(secret, "articles", encodeCursor(secret, "articles", key))).toEqual(key);
    });

    it("gives the same page the same cursor, so a listing's body and ETag stay the same", () => {
      expect(encodeCursor(secret, "articles", key)).toBe(encodeCursor(secret, "articles", { ...key }));
      expect(encodeCursor(secret, "articles", key)).not.toBe(encodeCursor(secret, "articles", { ...key, gsi1sk: "other" }));
      expect(encodeCursor(secret, "articles", key)).not.toBe(encodeCursor(secret, "events", key));
    });

    it("is URL-safe as it stands", () => {
      expect(encodeCursor(secret, "articles", key)).toMatch(/^[A-Za-z0-9_-]+$/);
    });
  });

  describe("error", () => {
    it.each(["", "abc", "a.b.c", "....", "e30", "AAAA", "not base64!", "%41%41"])("refuses garbage %j", (cursor) => {
      expect(refusal(cursor).message).toBe(
        'query parameter "cursor": not a cursor this listing issued; start again from the first page',
      );
    });

    it("refuses a cursor of the earlier signed form with a message saying so", () => {
      // The form cursors had before they were encrypted: readable base64 of the key, a dot, an HMAC.
      const payload = Buffer.from(JSON.stringify(key)).toString("base64url");
      const signature = createHmac("sha256", secret).update("articles").update("\u0000").update(payload).digest("base64url");
      const message = refusal(`${payload}.${signature.slice(0, 22)}`).message;
      expect(message).toContain('query parameter "cursor"');
      expect(message).toContain("earlier version");
      expect(message).toContain("first page");
    });

    it("names the query parameter that carried the cursor", () => {
      expect(refusal("abc", "articles", secret, "after").message).toMatch(/^query parameter "after": /);
    });
  });

  describe("security", () => {
    it("does not show the table's key: neither its names nor its values can be read", () => {
      const cursor = encodeCursor(secret, "articles", key);
      const decoded = Buffer.from(cursor, "base64url").toString("latin1");
      // Strings long enough that random bytes do not hold them by chance.
      for (const text of ["ARTICLE", "gsi1pk", "2026-05-04", '{"pk"']) {
        expect(cursor).not.toContain(text);
        expect(decoded).not.toContain(text);
      }
      // The earlier form was JSON in base64: nothing of the JSON survives in any alignment.
      for (let shift = 0; shift < 3; shift += 1) {
        const readable = Buffer.from(`${"x".repeat(shift)}${JSON.stringify(key)}`).toString("base64url");
        expect(cursor).not.toContain(readable.slice(8, 20));
      }
    });

    it("refuses a cursor with any one byte changed", () => {
      const cursor = encodeCursor(secret, "articles", key);
      const length = Buffer.from(cursor, "base64url").length;
      for (let index = 0; index < length; index += 1) refusal(flipped(cursor, index));
    });

    it("refuses a cursor cut short or lengthened", () => {
      const cursor = encodeCursor(secret, "articles", key);
      refusal(cursor.slice(0, -4));
      refusal(`${cursor}AAAA`);
      refusal(cursor.slice(4));
    });

    it("refuses a cursor from another listing or another secret", () => {
      const cursor = encodeCursor(secret, "articles", key);
      refusal(cursor, "events");
      refusal(cursor, "articles", "another-secret-entirely");
    });

    it("refuses a cursor sealed by another secret for the same scope, even with the same key", () => {
      const other = encodeCursor("another-secret-entirely", "articles", key);
      expect(other).not.toBe(encodeCursor(secret, "articles", key));
      refusal(other);
    });
  });
});
