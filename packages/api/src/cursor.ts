import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from "node:crypto";
import { ApiError } from "./errors";

// A cursor carries a table key. It is sealed with AES-256-GCM, so a client can neither read the
// key (which names the table's partitions) nor steer a query to a key of its choosing, and the
// listing's scope is the additional data, so a cursor from one listing is refused by another.
//
// The nonce is synthetic: an HMAC of the scope and the key under a second derived key, as in
// SIV. The same page then always gets the same cursor, so a listing's body, and so its ETag,
// stays the same from one request to the next; a nonce repeats only with the same plaintext,
// which shows no more than that two cursors are equal. Decoding need not recompute it: a tag
// that verifies was made with the sealing key, which only this server holds.

/** What a cursor carries: where a listing continues, as the store gave it (names and values are text). */
export type CursorKey = Readonly<Record<string, string>>;

/** The first byte of every cursor: its format, so a later one can be told apart. */
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

type CursorKeys = { seal: Buffer; nonce: Buffer };

// Derived once per secret: a process serves one.
let derived: { secret: string; keys: CursorKeys } | null = null;

function cursorKeys(secret: string): CursorKeys {
  if (derived?.secret !== secret) {
    const derive = (purpose: string) =>
      Buffer.from(hkdfSync("sha256", secret, "eventwire cursor", `eventwire cursor ${purpose} v${VERSION}`, 32));
    derived = { secret, keys: { seal: derive("seal"), nonce: derive("nonce") } };
  }
  return derived.keys;
}

function syntheticNonce(keys: CursorKeys, scope: string, plaintext: Buffer): Buffer {
  return createHmac("sha256", keys.nonce).update(scope).update("\u0000").update(plaintext).digest().subarray(0, NONCE_BYTES);
}

/** An opaque cursor for continuing the listing `scope` after `key`. */
export function encodeCursor(secret: string, scope: string, key: CursorKey): string {
  const keys = cursorKeys(secret);
  const plaintext = Buffer.from(JSON.stringify(key));
  const nonce = syntheticNonce(keys, scope, plaintext);
  const cipher = createCipheriv("aes-256-gcm", keys.seal, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(scope));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), nonce, sealed, cipher.getAuthTag()]).toString("base64url");
}

/**
 * The key inside a cursor made by `encodeCursor` for the same scope; otherwise a 400 naming the
 * query parameter that carried it.
 */
export function decodeCursor(secret: string, scope: string, cursor: string, parameter = "cursor"): CursorKey {
  const refuse = (reason: string) => new ApiError(400, "invalid_parameter", `query parameter "${parameter}": ${reason}`);
  const invalid = () => refuse("not a cursor this listing issued; start again from the first page");
  // Cursors of earlier versions were "<payload>.<signature>"; base64url has no dot.
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/.test(cursor)) {
    throw refuse("a cursor from an earlier version of this server, no longer read; start again from the first page");
  }
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES + 2 || bytes[0] !== VERSION) throw invalid();
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const sealed = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
  const keys = cursorKeys(secret);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keys.seal, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(scope));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    plaintext = Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    // A changed byte, another scope or another secret: the tag does not verify.
    throw invalid();
  }
  let key: unknown;
  try {
    key = JSON.parse(plaintext.toString("utf8"));
  } catch {
    throw invalid();
  }
  if (key === null || typeof key !== "object" || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  if (entries.length === 0 || entries.some(([, value]) => typeof value !== "string")) throw invalid();
  return Object.fromEntries(entries) as CursorKey;
}
