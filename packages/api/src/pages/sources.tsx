import type { EventOutlet } from "@eventwire/core";

/** Sources an event lists by name before it only counts the rest. */
const SHOWN_SOURCES = 8;

/**
 * An event's distinct outlets by name, the first few of many. `names` are sources' names by id,
 * for events stored before outlets were read (they hold source ids).
 */
export function SourceNames(props: { outlets: readonly EventOutlet[]; names: ReadonlyMap<string, string>; shown?: number }) {
  const shown = props.shown ?? SHOWN_SOURCES;
  if (props.outlets.length === 0) return null;
  const names = props.outlets.slice(0, shown).map((outlet) => props.names.get(outlet.key) ?? outlet.name);
  const more = props.outlets.length - names.length;
  return (
    <>
      Sources: {names.join(", ")}
      {more > 0 ? ` and ${more} more` : ""}
    </>
  );
}
