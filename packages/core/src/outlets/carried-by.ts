import type { EventState } from "../matcher/event";
import { sourceOutlet } from "./attribution";

/** An outlet that reported an event, and the other sources that carried its report. */
export type CarryingOutlet = { key: string; name: string; carriedBy: string[] };

/**
 * An event's outlets as a reader reads them, first counted first: each counted outlet, named
 * by its source's title when it is one of ours (`sourceNames`, by source id) else as credited,
 * with the sources that published its report under their own name folded under it (a copy
 * crediting it, a wire story, a copy of one of its articles that credits no one). Read from
 * the event's members, so only its latest articles can add a carrier.
 */
export function outletsWithCarriers(
  event: Pick<EventState, "outlets" | "members">,
  sourceNames: ReadonlyMap<string, string>,
): CarryingOutlet[] {
  const counted = new Map(event.members.map((member) => [member.articleId, member.outlet]));
  const carriers = new Map<string, Map<string, string>>();
  for (const member of event.members) {
    // A copy that credits no one goes with the outlet of the article it copies.
    const host = member.outlet ?? (member.copyOf === null ? null : (counted.get(member.copyOf) ?? null));
    if (host === null || host === member.sourceId) continue;
    const title = sourceNames.get(member.sourceId) ?? null;
    const own = sourceOutlet(member.sourceId, title);
    if (own.key === host) continue;
    const names = carriers.get(host) ?? new Map<string, string>();
    if (!names.has(own.key)) names.set(own.key, title ?? own.name);
    carriers.set(host, names);
  }
  return event.outlets.map((outlet) => ({
    key: outlet.key,
    // Events stored before outlets were read hold source ids: those are named by their source.
    name: sourceNames.get(outlet.key) ?? outlet.name,
    carriedBy: [...(carriers.get(outlet.key)?.values() ?? [])],
  }));
}
