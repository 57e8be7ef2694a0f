import { hammingDistance, parseSimHash, type SimHash } from "../text-features/simhash";
import type { EventMember, EventState } from "./event";
import type { PreparedArticle } from "./matcher";

/**
 * Each event's members' SimHashes, parsed as the copy check first reads them: the check reads
 * every member of every candidate for each new article, and a members list is replaced, never
 * changed, so it can key the cache (which goes with the list).
 */
const parsedMembers = new WeakMap<readonly EventMember[], (SimHash | null)[]>();

function memberSimHash(members: readonly EventMember[], index: number): SimHash | null {
  let parsed = parsedMembers.get(members);
  if (parsed === undefined) {
    parsed = [];
    parsedMembers.set(members, parsed);
  }
  let hash = parsed[index];
  if (hash === undefined) {
    const text = (members[index] as EventMember).simhash;
    hash = text === null ? null : parseSimHash(text);
    parsed[index] = hash;
  }
  return hash;
}

/** The member of a candidate event that an article copies (same content hash, or a near SimHash), if any. */
export function findCopy(
  prepared: PreparedArticle,
  candidates: EventState[],
  maxHamming: number,
): { event: EventState; member: EventMember } | null {
  const own = prepared.features.simhash;
  for (const event of candidates) {
    for (const [index, member] of event.members.entries()) {
      if (member.contentHash === prepared.input.contentHash) return { event, member };
      if (own === null) continue;
      const hash = memberSimHash(event.members, index);
      if (hash !== null && hammingDistance(own, hash) <= maxHamming) return { event, member };
    }
  }
  return null;
}
