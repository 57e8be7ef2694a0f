import { dispatchDeliveries } from "@eventwire/pipeline";
import { describe, expect, it, vi } from "vitest";
import { createTestDeps } from "../support/deps";
import { storeStory } from "../support/events";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { localDeps, useWebhookTables } from "../support/webhook-tables";
import { api, subscribe, twoSourceStory } from "../support/webhooks";

// The SSRF guard on webhook endpoints (`url-guard`, `webhook-sender`): at registration, before
// sending, and at connect time.

// Fresh tables, deps that may reach 127.0.0.1 and verifying receivers, with Date faked to the
// deps' clock (see test/support/webhook-tables.ts).
const { freshTable, receivers } = useWebhookTables();

describe("webhook endpoints and the SSRF guard", () => {
  /** Deps with private addresses refused and a resolver that never asks real DNS. */
  async function guarded(resolve: (host: string) => string[]) {
    const table = await freshTable();
    const deps = createTestDeps(table.store);
    const lookups: string[] = [];
    deps.resolveHost = async (host) => {
      lookups.push(host);
      return resolve(host);
    };
    return { deps, lookups };
  }

  describe("security", () => {
    it.each([
      ["http://127.0.0.1/hook", "127.0.0.1 is a loopback address"],
      ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"],
      ["http://[::1]:8080/hook", "::1 is a loopback address"],
      ["https://internal.example/hook", "internal.example, which resolves to 10.0.0.7, is a private address"],
      ["http://2130706433/hook", "127.0.0.1 is a loopback address"],
      ["http://0x7f.0.0.1/hook", "127.0.0.1 is a loopback address"],
      ["https://[::ffff:169.254.169.254]/", "cloud metadata address"],
      ["https://100.64.0.1/", "carrier-grade NAT"],
    ])("refuses %s with a clear 400", async (url, reason) => {
      const { deps } = await guarded((host) => (host === "internal.example" ? ["10.0.0.7"] : []));
      const answer = await api(deps, "POST", "/api/v1/subscriptions", { url, types: ["event.created"] });
      expect(answer.status).toBe(400);
      expect(answer.json?.error.code).toBe("invalid_body");
      expect(answer.json?.error.message).toContain(reason);
      // The answer says how to allow local receivers, except where no setting allows it.
      expect(answer.json?.error.message).toContain(
        reason.includes("cloud metadata") ? "never allowed" : "EVENTWIRE_ALLOW_PRIVATE_URLS",
      );
    });

    it("speaks of webhook receivers when it refuses an endpoint", async () => {
      const { deps } = await guarded(() => ["10.0.0.7"]);
      const answer = await api(deps, "POST", "/api/v1/subscriptions", {
        url: "https://hooks.example/in",
        types: ["event.created"],
      });
      expect(answer.json?.error.message).toContain(
        "only public addresses are allowed for webhook receivers (set EVENTWIRE_ALLOW_PRIVATE_URLS=true to allow local receivers)",
      );
      expect(answer.json?.error.message).not.toContain("source");
    });

    it("refuses the cloud metadata address even where private addresses are allowed", async () => {
      const table = await freshTable();
      const deps = localDeps(table);
      deps.resolveHost = async (host) => (host === "metadata.example" ? ["169.254.169.254"] : []);
      for (const url of [
        "http://169.254.169.254/latest/",
        "http://metadata.example/",
        "http://[fd00:ec2::254]/",
        "http://169.254.170.2/v2/credentials",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[::a9fe:a9fe]/",
      ]) {
        const answer = await api(deps, "POST", "/api/v1/subscriptions", { url, types: ["event.created"] });
        expect(answer.status, url).toBe(400);
        expect(answer.json?.error.message).toContain("cloud metadata address");
        // No setting lets it through, so the answer does not suggest one.
        expect(answer.json?.error.message).not.toContain("EVENTWIRE_ALLOW_PRIVATE_URLS");
      }
    });

    it("refuses plain http to a public address and a name that does not resolve", async () => {
      const { deps } = await guarded((host) => (host === "public.example" ? ["93.184.216.34"] : []));
      const http = await api(deps, "POST", "/api/v1/subscriptions", {
        url: "http://public.example/hook",
        types: ["event.created"],
      });
      expect(http.json?.error.message).toContain("must use https");
      const nowhere = await api(deps, "POST", "/api/v1/subscriptions", {
        url: "https://nowhere.example/",
        types: ["event.created"],
      });
      expect(nowhere.json?.error.message).toContain("has no address");
    });

    it("checks the address again at send time: a name re-pointed at a private address is refused without connecting", async () => {
      let answers = 0;
      const { deps, lookups } = await guarded((host) => {
        if (host !== "rebind.example") return [];
        answers += 1;
        // Public when registered; then a private address (DNS rebinding).
        return answers === 1 ? ["93.184.216.34"] : ["10.0.0.9"];
      });
      const created = await api(deps, "POST", "/api/v1/subscriptions", {
        url: "https://rebind.example/hook",
        types: ["event.created"],
      });
      expect(created.status).toBe(201);
      await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
      await dispatchDeliveries(deps);
      const log = await api(deps, "GET", `/api/v1/subscriptions/${created.json?.id}/deliveries`);
      expect(log.json?.items[0]).toMatchObject({ statusCode: null, outcome: "retry" });
      expect(log.json?.items[0].error).toContain("rebind.example, which resolves to 10.0.0.9, is a private address");
      expect(lookups.length).toBeGreaterThanOrEqual(2);
    });

    it("judges the address connected to: a name public at the check and loopback at connect time reaches nothing", async () => {
      const table = await freshTable();
      const deps = localDeps(table);
      const receiver = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()) });
      receivers.push(receiver);
      // "localhost" is 127.0.0.1 to the system too: without the connect-time check the POST would arrive.
      await subscribe(deps, receiver, { types: ["event.created"] });
      const created = (await api(deps, "GET", "/api/v1/subscriptions")).json?.items[0];
      await api(deps, "PATCH", `/api/v1/subscriptions/${created.id}`, { url: receiver.url.replace("127.0.0.1", "localhost") });
      // From here private addresses are refused; the check before sending sees a public address,
      // the connection's own lookup the loopback one.
      deps.config.webhooks = { ...deps.config.webhooks, allowPrivateUrls: false };
      const lookups: string[] = [];
      deps.resolveHost = async (host) => {
        lookups.push(host);
        return lookups.length === 1 ? ["93.184.216.34"] : ["127.0.0.1"];
      };
      await storeStory(deps.store, { ...twoSourceStory, articles: twoSourceStory.articles.slice(0, 1) });
      await dispatchDeliveries(deps);
      expect(receiver.received).toHaveLength(0);
      expect(lookups).toEqual(["localhost", "localhost"]);
      const log = await api(deps, "GET", `/api/v1/subscriptions/${created.id}/deliveries`);
      expect(log.json?.items[0]).toMatchObject({ statusCode: null, outcome: "retry" });
      expect(log.json?.items[0].error).toContain("localhost, which resolves to 127.0.0.1, is a loopback address");
    });
  });
});
