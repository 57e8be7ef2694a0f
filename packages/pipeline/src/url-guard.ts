import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { blockedAddressKind, isIpLiteral } from "@eventwire/core";

/** Resolves a host name to its addresses (every family). Injected in tests; the system resolver otherwise. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/** The system's resolver (what `connect` would use): every address of the name. */
export const systemResolveHost: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
      if (error) reject(error);
      else resolve(addresses.map((entry) => entry.address));
    });
  });

/** A URL refused as the target of a server-side request; the message says which address and why. */
export class UrlRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UrlRefusedError";
  }
}

/**
 * A URL whose host does not resolve (now): not a refusal on principle, so a configured source
 * with such a host is kept, failing, and tried again later (the network may come back).
 */
export class HostUnresolvedError extends UrlRefusedError {
  constructor(message: string) {
    super(message);
    this.name = "HostUnresolvedError";
  }
}

export type UrlGuardOptions = {
  /** EVENTWIRE_ALLOW_PRIVATE_URLS: let loopback and private addresses through (local receivers). */
  allowPrivate: boolean;
  resolve?: ResolveHost | undefined;
  /** What the URLs are, for the refusal's words: webhook receivers or feed sources. */
  target?: "receivers" | "sources" | undefined;
};

export type UrlGuard = {
  /**
   * Throws UrlRefusedError unless `url` is http(s) and every address its host resolves to is a
   * public one (an IP literal is judged as written, after URL parsing has normalised decimal,
   * octal and hex forms). For checking a webhook or source URL when it is registered.
   */
  check(url: URL): Promise<void>;
  /**
   * A `lookup` for `net.connect` (and `http.request`) that resolves through the same
   * resolver and refuses blocked addresses, so the address actually connected to is the one
   * checked: a name re-pointed at a private address after registration (DNS rebinding) fails.
   */
  lookup: ConnectLookup;
};

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;
export type ConnectLookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => void;

function familyOf(address: string): 4 | 6 {
  return address.includes(":") ? 6 : 4;
}

/** The first blocked address of `addresses` with its kind, or null when all are public. */
function firstBlocked(addresses: readonly string[]): { address: string; kind: string } | null {
  for (const address of addresses) {
    const kind = blockedAddressKind(address);
    if (kind !== null) return { address, kind };
  }
  return null;
}

const TARGET_WORDS = {
  receivers: { allowedFor: " for webhook receivers", local: "local receivers" },
  sources: { allowedFor: " for feed sources", local: "feeds on local addresses" },
  any: { allowedFor: "", local: "local addresses" },
};

/** A guard for outgoing requests to URLs users give us (webhook endpoints, feed sources). */
export function createUrlGuard(options: UrlGuardOptions): UrlGuard {
  const resolve = options.resolve ?? systemResolveHost;
  const words = TARGET_WORDS[options.target ?? "any"];

  async function addressesOf(host: string): Promise<string[]> {
    if (isIpLiteral(host)) return [host.replace(/^\[|\]$/g, "")];
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (error) {
      throw new HostUnresolvedError(`host "${host}" does not resolve (${(error as { code?: string }).code ?? "lookup failed"})`);
    }
    if (addresses.length === 0) throw new HostUnresolvedError(`host "${host}" has no address`);
    return addresses;
  }

  function refuseBlocked(host: string, addresses: readonly string[]): void {
    const blocked = firstBlocked(addresses);
    if (blocked === null) return;
    // The allowance is for local receivers; the cloud metadata service is never one.
    if (options.allowPrivate && blocked.kind !== "cloud metadata") return;
    const where =
      blocked.address === host.replace(/^\[|\]$/g, "") ? blocked.address : `${host}, which resolves to ${blocked.address},`;
    // No setting lets a metadata address through, so the hint would mislead there.
    const hint =
      blocked.kind === "cloud metadata" ? "never allowed" : `set EVENTWIRE_ALLOW_PRIVATE_URLS=true to allow ${words.local}`;
    throw new UrlRefusedError(
      `${where} is a ${blocked.kind} address; only public addresses are allowed${words.allowedFor} (${hint})`,
    );
  }

  return {
    async check(url) {
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new UrlRefusedError(`"${url.protocol}" URLs are not allowed: http(s) only`);
      }
      if (url.username !== "" || url.password !== "") throw new UrlRefusedError("URLs with credentials are not allowed");
      refuseBlocked(url.hostname, await addressesOf(url.hostname));
    },
    lookup(hostname, lookupOptions, callback) {
      addressesOf(hostname)
        .then((addresses) => {
          refuseBlocked(hostname, addresses);
          if (lookupOptions.all) {
            callback(
              null,
              addresses.map((address) => ({ address, family: familyOf(address) })),
            );
          } else {
            const first = addresses[0] as string;
            callback(null, first, familyOf(first));
          }
        })
        .catch((error: Error) => callback(error, ""));
    },
  };
}
