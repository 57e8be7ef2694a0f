/** Sources an event lists by name before it only counts the rest. */
const SHOWN_SOURCES = 8;

/** An event's distinct sources by name (the id where no name is known), the first few of many. */
export function SourceNames(props: { ids: readonly string[]; names: ReadonlyMap<string, string>; shown?: number }) {
  const shown = props.shown ?? SHOWN_SOURCES;
  if (props.ids.length === 0) return null;
  const names = props.ids.slice(0, shown).map((id) => props.names.get(id) ?? id);
  const more = props.ids.length - names.length;
  return (
    <>
      Sources: {names.join(", ")}
      {more > 0 ? ` and ${more} more` : ""}
    </>
  );
}
