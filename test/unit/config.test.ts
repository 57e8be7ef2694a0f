import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, cursorSecret, parseEnv, parseSourceList, sourceUrls } from "../../functions/config";
import { DEFAULT_SOURCE_URLS } from "../../functions/default-sources";

describe("parseEnv", () => {
  it("applies the defaults", () => {
    const settings = parseEnv({});
    expect(settings).toMatchObject({ PORT: 8787, HOST: "127.0.0.1", DATA_DIR: ".data", EVENTWIRE_SCHEDULE_SECONDS: 300 });
    expect(settings).toMatchObject({
      EVENTWIRE_RATE_LIMIT_PER_MINUTE: 120,
      EVENTWIRE_RATE_LIMIT_BURST: 60,
      EVENTWIRE_FILTER_READ_LIMIT: 500,
    });
    expect(settings.EVENTWIRE_LOG_LEVEL).toBe("info");
  });

  it("reads EVENTWIRE_LOG_LEVEL", () => {
    expect(parseEnv({ EVENTWIRE_LOG_LEVEL: "debug" }).EVENTWIRE_LOG_LEVEL).toBe("debug");
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ EVENTWIRE_ADMIN_KEY: "short" }, "EVENTWIRE_ADMIN_KEY"],
    [{ DYNAMODB_ENDPOINT: "not a url" }, "DYNAMODB_ENDPOINT"],
    [{ EVENTWIRE_PUBLIC_URL: "ftp://x.example" }, "EVENTWIRE_PUBLIC_URL"],
    [{ EVENTWIRE_TABLE: "a b" }, "EVENTWIRE_TABLE"],
    [{ EVENTWIRE_LOG_FORMAT: "xml" }, "EVENTWIRE_LOG_FORMAT"],
    [{ EVENTWIRE_LOG_LEVEL: "verbose" }, "EVENTWIRE_LOG_LEVEL"],
    [{ EVENTWIRE_RATE_LIMIT_PER_MINUTE: "-1" }, "EVENTWIRE_RATE_LIMIT_PER_MINUTE"],
    [{ EVENTWIRE_RATE_LIMIT_BURST: "0" }, "EVENTWIRE_RATE_LIMIT_BURST"],
    [{ EVENTWIRE_FILTER_READ_LIMIT: "5" }, "EVENTWIRE_FILTER_READ_LIMIT"],
    [{ EVENTWIRE_SOURCES: "https://ok.example/rss, not-a-url" }, "EVENTWIRE_SOURCES"],
  ])("refuses %j naming the variable and its value", (env, name) => {
    expect(() => parseEnv(env)).toThrow(ConfigError);
    expect(() => parseEnv(env)).toThrow(new RegExp(`${name}=`));
  });

  it("treats blank optional values as unset", () => {
    expect(parseEnv({ DYNAMODB_ENDPOINT: " ", EVENTWIRE_ADMIN_KEY: "" }).DYNAMODB_ENDPOINT).toBeUndefined();
  });
});

describe("sourceUrls", () => {
  it("uses the defaults when EVENTWIRE_SOURCES is unset", () => {
    expect(sourceUrls(parseEnv({}))).toEqual(DEFAULT_SOURCE_URLS);
  });
  it("splits EVENTWIRE_SOURCES on commas and spaces, and allows none at all", () => {
    expect(
      sourceUrls(parseEnv({ EVENTWIRE_SOURCES: "https://a.example/rss, https://b.example/atom  https://c.example/x" })),
    ).toEqual(["https://a.example/rss", "https://b.example/atom", "https://c.example/x"]);
    expect(sourceUrls(parseEnv({ EVENTWIRE_SOURCES: "" }))).toEqual([]);
  });
});

describe("sources file (EVENTWIRE_SOURCES_FILE)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eventwire-sources-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("happy: reads one URL a line, relative to the given folder, skipping blank lines and # comments", () => {
    writeFileSync(
      path.join(dir, "feeds.txt"),
      "# wires\nhttps://a.example/rss\r\n\n  https://b.example/feed?tags=a,b  \n# https://off.example/rss\n",
    );
    expect(sourceUrls(parseEnv({ EVENTWIRE_SOURCES_FILE: "feeds.txt" }), dir)).toEqual([
      "https://a.example/rss",
      "https://b.example/feed?tags=a,b",
    ]);
    // A file of comments alone seeds nothing (the defaults are not added either).
    writeFileSync(path.join(dir, "none.txt"), "# none yet\n");
    expect(sourceUrls(parseEnv({ EVENTWIRE_SOURCES_FILE: path.join(dir, "none.txt") }))).toEqual([]);
  });

  it.each([
    ["ftp://a.example/rss", /line 2: "ftp:\/\/a.example\/rss" is not an absolute http\(s\) URL/],
    ["https://a.example/rss https://b.example/rss", /line 2: .* is more than one URL \(one a line\)/],
  ])("error: a line %j is refused, naming the file and the line", (line, message) => {
    expect(() => parseSourceList(`https://ok.example/rss\n${line}\n`, "feeds.txt")).toThrow(ConfigError);
    expect(() => parseSourceList(`https://ok.example/rss\n${line}\n`, "feeds.txt")).toThrow(message);
  });

  it("error: a file that cannot be read, or both settings at once, is a ConfigError naming the setting", () => {
    expect(() => sourceUrls(parseEnv({ EVENTWIRE_SOURCES_FILE: "missing.txt" }), dir)).toThrow(
      /EVENTWIRE_SOURCES_FILE="missing.txt": cannot read .*missing.txt: no such file/,
    );
    expect(() =>
      sourceUrls(parseEnv({ EVENTWIRE_SOURCES_FILE: "feeds.txt", EVENTWIRE_SOURCES: "https://a.example/rss" }), dir),
    ).toThrow(/EVENTWIRE_SOURCES and EVENTWIRE_SOURCES_FILE are both set/);
  });
});

describe("cursorSecret", () => {
  it("derives the same secret from the same admin key, and another from another", () => {
    const settings = parseEnv({});
    expect(cursorSecret(settings, "admin-key-aaaaaaaaaaaa")).toBe(cursorSecret(settings, "admin-key-aaaaaaaaaaaa"));
    expect(cursorSecret(settings, "admin-key-aaaaaaaaaaaa")).not.toBe(cursorSecret(settings, "admin-key-bbbbbbbbbbbb"));
  });
  it("needs either a configured secret or an admin key", () => {
    expect(() => cursorSecret(parseEnv({}), null)).toThrow(ConfigError);
  });
});
