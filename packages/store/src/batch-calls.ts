/** Options of `batchCalls`. */
export type BatchCallsOptions = {
  /** Most calls one batch takes. */
  max: number;
  /** Batches written at once; calls made meanwhile wait for the next one. */
  inFlight: number;
};

/**
 * Turns a write of many inputs into a call for one: calls made in the same turn of the event
 * loop, or while `inFlight` batches are being written, go together in the next batch (up to
 * `max`). An idle caller's call is written at once; busy callers share few large writes, as a
 * database's group commit does. `write` answers one output an input, in order. When a batch of
 * several throws, each of its calls is written again alone, so one input the database refuses,
 * or a passing failure, costs only the calls that fail by themselves.
 */
export function batchCalls<I, O>(write: (inputs: I[]) => Promise<O[]>, options: BatchCallsOptions): (input: I) => Promise<O> {
  type Waiting = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void };
  const waiting: Waiting[] = [];
  let writing = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    while (writing < options.inFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.max);
      writing += 1;
      write(batch.map((entry) => entry.input))
        .then((outputs) => {
          if (outputs.length !== batch.length)
            throw new Error(`a batch write answered ${outputs.length} results for ${batch.length} inputs`);
          for (const [index, entry] of batch.entries()) entry.resolve(outputs[index] as O);
        })
        .catch(async (error: unknown) => {
          if (batch.length === 1) {
            batch[0]?.reject(error);
            return;
          }
          for (const entry of batch) {
            try {
              const [output] = await write([entry.input]);
              if (output === undefined) throw new Error("a batch write answered no result for its input");
              entry.resolve(output);
            } catch (alone) {
              entry.reject(alone);
            }
          }
        })
        .finally(() => {
          writing -= 1;
          flush();
        });
    }
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      // Wait for the rest of this turn's calls, unless every batch slot is busy (then the
      // batch that ends first takes them).
      if (!scheduled && writing < options.inFlight) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
