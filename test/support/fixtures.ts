import { readFileSync } from "node:fs";

/** The text of a fixture under test/fixtures. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
}

/** The bytes of a fixture under test/fixtures, for files in encodings other than UTF-8. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
}
