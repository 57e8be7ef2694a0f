import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where other projects' feed test corpora are: `../shared/peer-feeds` beside the clone, as CI
 * lays it out (`PEER_FEEDS_DIR` overrides). A fresh clone has no such folder; the peer suite
 * then fails, saying so, rather than passing on nothing.
 */
const PEER_FEEDS_DIR = resolve(
  process.env.PEER_FEEDS_DIR ?? join(fileURLToPath(new URL("../..", import.meta.url)), "..", "shared", "peer-feeds"),
);

/** Throws a sentence naming the missing folder and what to do, when the corpora are absent. */
export function requireCorpus(folder: string): string {
  const path = join(PEER_FEEDS_DIR, folder);
  if (!existsSync(path)) {
    throw new Error(
      `the peer-feeds corpus is not at ${path}: the peer suite reads other projects' feed test corpora from ../shared/peer-feeds beside the clone (or PEER_FEEDS_DIR); without them it has nothing to check, and fails rather than pass on nothing`,
    );
  }
  return path;
}

/** Every file under a folder, sorted, as paths relative to `root`. */
export function listFiles(root: string, under: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(join(root, under));
  return out;
}

export function readBytes(root: string, file: string): Buffer {
  return readFileSync(join(root, file));
}

/** What a feedparser test file says of itself in its leading comment. */
export type FeedparserCase = {
  file: string;
  description: string;
  expect: string;
  /** HTTP headers the file is served with (`Header:` lines), names lower-cased. */
  headers: Record<string, string>;
  /** The URL feedparser's own suite serves it at (http files) or would (the others). */
  url: string;
};

/** Reads the `Description:`, `Expect:` and `Header:` comment of a feedparser test file. */
export function readFeedparserCase(file: string, bytes: Buffer): FeedparserCase {
  // The comment is ASCII in every encoding the corpus uses but UTF-16 and UTF-32; strip NULs to read those.
  const head = bytes.toString("latin1").replace(/\0/g, "");
  const match = /Description:\s*([\s\S]*?)\s*Expect:\s*([\s\S]*?)\s*-->/.exec(head);
  const headers: Record<string, string> = {};
  for (const header of head.matchAll(/^Header:\s+([^:]+):(.*)$/gm)) {
    headers[(header[1] ?? "").trim().toLowerCase()] = (header[2] ?? "").trim();
  }
  return {
    file,
    description: match?.[1] ?? "",
    expect: match?.[2] ?? "",
    headers,
    url: `http://127.0.0.1:8097/${file.replace(/^feedparser\//, "")}`,
  };
}
