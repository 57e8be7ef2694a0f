import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The local admin key: EVENTWIRE_ADMIN_KEY when set, else one generated on first start and kept
 * in DATA_DIR/admin-key (readable by the owner only), so it survives restarts.
 */
export function loadOrCreateAdminKey(configured: string | undefined, dataDir: string | null): { key: string; origin: string } {
  if (configured !== undefined) return { key: configured, origin: "EVENTWIRE_ADMIN_KEY" };
  if (dataDir === null) return { key: randomBytes(24).toString("base64url"), origin: "generated for this run" };
  const file = path.resolve(dataDir, "admin-key");
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (key.length >= 16) return { key, origin: file };
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(24).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { key, origin: file };
}
