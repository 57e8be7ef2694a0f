import { Layout } from "./layout";

/** `GET /events/{id}` of an event merged into another: a 301 to it, and this page for a browser that shows it. */
export function MovedPage(props: { base: string; title: string; location: string }) {
  return (
    <Layout title={`${props.title} — merged — eventwire`} base={props.base}>
      <h1>{props.title}</h1>
      <p>
        This event was found to be the same happening as another and merged into it: <a href={props.location}>the event</a> holds
        its reports now.
      </p>
    </Layout>
  );
}
