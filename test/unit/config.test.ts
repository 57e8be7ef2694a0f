import { describe, expect, it } from "vitest";
import { ConfigError, cursorSecret, parseEnv, sourceUrls } from "../../functions/config";
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
