import { Layout } from "./layout";

const HEADINGS: Record<number, string> = { 400: "That request cannot be answered", 404: "Not found" };

/** A page-route failure for a browser: what went wrong, and the way back. */
export function ErrorPage(props: { base: string; status: number; message: string; requestId: string | null }) {
  const heading = HEADINGS[props.status] ?? "Something went wrong";
  return (
    <Layout title={`${heading} — eventwire`} base={props.base}>
      <h1>{heading}</h1>
      <p>{props.message}</p>
      {props.requestId === null ? null : <p class="meta">Request id: {props.requestId}</p>}
      <p>
        <a href={`${props.base}/`}>The latest events</a>
      </p>
    </Layout>
  );
}
