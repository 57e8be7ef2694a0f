import { type EventState, outletsWithCarriers } from "@eventwire/core";

/** Sources an event lists by name before it only counts the rest. */
const SHOWN_SOURCES = 8;
/** Carriers named under one outlet before they are only counted. */
const SHOWN_CARRIERS = 3;

/** "A, B, C and 2 more" of some names, the first `shown`. */
function someNames(names: readonly string[], shown: number): string {
  const more = names.length - shown;
  return `${names.slice(0, shown).join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

/**
 * An event's distinct outlets by name, the first few of many, each with the sources that carried
 * its report folded under it: "Levant Wire (also carried by Foo Daily, Bar Times)". `names` are
 * sources' names by id.
 */
export function SourceNames(props: {
  event: Pick<EventState, "outlets" | "members">;
  names: ReadonlyMap<string, string>;
  shown?: number;
}) {
  const shown = props.shown ?? SHOWN_SOURCES;
  const outlets = outletsWithCarriers(props.event, props.names);
  if (outlets.length === 0) return null;
  const more = outlets.length - Math.min(shown, outlets.length);
  return (
    <>
      Sources:{" "}
      {outlets.slice(0, shown).map((outlet, index) => (
        <>
          {index > 0 ? ", " : ""}
          {outlet.name}
          {outlet.carriedBy.length > 0 ? (
            <span class="carriers"> (also carried by {someNames(outlet.carriedBy, SHOWN_CARRIERS)})</span>
          ) : null}
        </>
      ))}
      {more > 0 ? ` and ${more} more` : ""}
    </>
  );
}
