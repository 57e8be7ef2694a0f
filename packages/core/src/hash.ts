import { createHash } from "node:crypto";

/**
 * A deterministic identifier: the first 128 bits of SHA-256 over the parts, hex-encoded. The
 * parts are joined with a separator that cannot occur in them, so ("ab", "c") and ("a", "bc")
 * never collide.
 */
export function hashId(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    hash.update(part);
    hash.update("\u0000");
  }
  return hash.digest("hex").slice(0, 32);
}
