import { readFeedDate } from "@eventwire/core";
import { describe, expect, it } from "vitest";

const iso = (raw: string) => {
  const time = readFeedDate(raw);
  return time === null ? null : new Date(time).toISOString();
};

describe("readFeedDate", () => {
  describe("happy", () => {
    it.each([
      ["Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 +0200", "2003-06-10T02:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 CEST", "2003-06-10T02:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 BST", "2003-06-10T03:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 MEST", "2003-06-10T02:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 EDT", "2003-06-10T08:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 PT", "2003-06-10T12:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 Etc/GMT", "2003-06-10T04:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 Etc/GMT+5", "2003-06-10T09:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 GMT+02:00", "2003-06-10T02:00:00.000Z"],
      ["Tue, 10 Jun 2003 04:00:00 +0200 (CEST)", "2003-06-10T02:00:00.000Z"],
      ["Tue,10 Jun 2003 04:00 Z", "2003-06-10T04:00:00.000Z"],
      ["10 Jun 03 04:00:00 GMT", "2003-06-10T04:00:00.000Z"],
      ["Jun 10 2003 04:00:00 GMT", "2003-06-10T04:00:00.000Z"],
      ["Tuesday, 10 June 2003 4:00:00 GMT", "2003-06-10T04:00:00.000Z"],
      ["10 Jun 2003", "2003-06-10T00:00:00.000Z"],
      ["2003-06-10T04:00:00Z", "2003-06-10T04:00:00.000Z"],
      ["2003-06-10T04:00:00.250+01:00", "2003-06-10T03:00:00.250Z"],
      ["2003-06-10T04:00:00-0500", "2003-06-10T09:00:00.000Z"],
      ["2003-06-10", "2003-06-10T00:00:00.000Z"],
      ["2003-06", "2003-06-01T00:00:00.000Z"],
      ["20030610T040000Z", "2003-06-10T04:00:00.000Z"],
    ])("reads %j", (raw, expected) => {
      expect(iso(raw)).toBe(expected);
    });

    it("reads a time without a zone as UTC, whatever the machine's zone", () => {
      const zone = process.env.TZ;
      process.env.TZ = "America/Los_Angeles";
      try {
        expect(iso("2003-06-10T04:00:00")).toBe("2003-06-10T04:00:00.000Z");
        expect(iso("2003-06-10 04:00:00")).toBe("2003-06-10T04:00:00.000Z");
        expect(iso("Tue, 10 Jun 2003 04:00:00")).toBe("2003-06-10T04:00:00.000Z");
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });
  });

  describe("error", () => {
    it.each([
      "Sun, Dec x 2012",
      "Tue, 31 Feb 2026 10:00:00 GMT",
      "Tue, 10 Jun 2003 25:00:00 GMT",
      "Mon, 04 May 2026 10:00:00 XYZ",
      "Mon, 04 May 2026 10:00:00 IST",
      "2003-13-10T04:00:00Z",
      "2003-06-10T04:00:00 PST",
      "last Tuesday",
      "12345",
      "",
      "   ",
    ])("refuses %j", (raw) => {
      expect(readFeedDate(raw)).toBeNull();
    });

    it("refuses what is too long to be a date", () => {
      expect(readFeedDate(`Tue, 10 Jun 2003 04:00:00 GMT${" ".repeat(200)}x`)).toBeNull();
    });
  });
});
