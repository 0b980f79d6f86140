// The platform's own streams and events, as hostile values and drivers for the public-API fuzz test: event
// emitters and targets for `on`, WHATWG streams for `fromReadableStream`/`toReadableStream`, Node streams for
// `sluice/node`. What "never ends" ends when the run is released (hostile.ts, `Run.released`); every user
// callback in them throws only `FuzzError`.
import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { fc } from "@fast-check/vitest";
import { type Ctx, isPromise } from "./harness.js";
import { FuzzError, type Maker, type Run, maker, ticks } from "./hostile.js";

/** Runs `work` a few microtasks later, in the run's background; a throw there (an emitter's unheard 'error') is the run's own. */
function later(run: Run, after: number, work: () => void): void {
  run.background.push(
    ticks(after).then(() => {
      try {
        work();
      } catch {
        // an 'error' nobody listened to any more, a stream already cancelled: the run's own business
      }
    }),
  );
}

// ------------------------------------------------------------------ event emitters and targets (on)

/** An emitter of `data` events (1, then 2 and 3 together), then `end`, over a few microtasks. */
function emitting(label: string, script: (e: EventEmitter) => void, options: { brokenOn?: boolean; brokenRemove?: boolean } = {}): Maker {
  return maker(label, (run) => {
    const emitter = new EventEmitter();
    if (options.brokenOn === true) {
      emitter.on = () => {
        throw new FuzzError("emitter.on");
      };
    }
    if (options.brokenRemove === true) {
      emitter.removeListener = () => {
        throw new FuzzError("emitter.removeListener");
      };
    }
    // What it emits is the run's own: an event listed in `failOn` fails the stream with its first argument.
    for (const value of [1, 2, 3]) run.created.add(value);
    later(run, 2, () => script(emitter));
    return emitter;
  });
}

export const eventTargets: fc.Arbitrary<Maker> = fc.constantFrom(
  emitting("EventEmitter: data 1, data (2, 3), end", (e) => {
    e.emit("data", 1);
    e.emit("data", 2, 3);
    e.emit("end");
  }),
  emitting("EventEmitter: data 1, then error", (e) => {
    e.emit("data", 1);
    e.emit("error", new FuzzError("an emitted error"));
  }),
  emitting("EventEmitter: data 1, close", (e) => {
    e.emit("data", 1);
    e.emit("close");
  }),
  emitting("EventEmitter: 40 data events", (e) => {
    for (let i = 0; i < 40; i += 1) e.emit("data", i);
  }),
  maker("EventEmitter: silent", () => new EventEmitter()),
  emitting("EventEmitter whose on() throws", () => undefined, { brokenOn: true }),
  emitting("EventEmitter whose removeListener() throws", (e) => e.emit("data", 1), { brokenRemove: true }),
  maker("EventTarget: data, data, end", (run) => {
    const target = new EventTarget();
    // The events are the run's own: one listed in `failOn` fails the stream with itself (it carries no `error`).
    const events = [new Event("data"), new Event("data"), new Event("end")];
    for (const event of events) run.created.add(event);
    later(run, 2, () => {
      for (const event of events) target.dispatchEvent(event);
    });
    return target;
  }),
  maker("EventTarget: an error event", (run) => {
    const target = new EventTarget();
    later(run, 1, () => target.dispatchEvent(Object.assign(new Event("error"), { error: new FuzzError("an error event") })));
    return target;
  }),
  maker("{ on, removeListener } that never emit", () => ({ on() {}, removeListener() {} })),
  maker("{ addEventListener, removeEventListener: 5 }", () => ({ addEventListener() {}, removeEventListener: 5 })),
);

export const eventNames: fc.Arbitrary<Maker> = fc.constantFrom(
  maker('"data"', () => "data"),
  maker('"end"', () => "end"),
  maker('"error"', () => "error"),
  maker('["end", "close"]', () => ["end", "close"]),
  maker("[]", () => []),
  maker('Symbol("data")', () => Symbol("data")),
);

// ------------------------------------------------------------------ WHATWG streams

export const webStreams: fc.Arbitrary<Maker> = fc.constantFrom(
  maker("ReadableStream of 1, 2, closed", () =>
    new ReadableStream({
      start(c) {
        c.enqueue(1);
        c.enqueue(2);
        c.close();
      },
    }),
  ),
  maker("ReadableStream erroring after 1", () =>
    new ReadableStream({
      start(c) {
        c.enqueue(1);
        c.error(new FuzzError("a stream's error"));
      },
    }),
  ),
  // Bounded: with `highWaterMark: Infinity` a bridge buffers everything a source gives (as asked), so an endless
  // source that never waits would fill memory without ever yielding to a timer.
  maker("ReadableStream pulling 1..500", () => {
    let i = 0;
    return new ReadableStream({ pull: (c) => (i < 500 ? c.enqueue((i += 1)) : c.close()) });
  }),
  maker("ReadableStream whose pull throws", () =>
    new ReadableStream({
      pull() {
        throw new FuzzError("a stream's pull");
      },
    }),
  ),
  maker("ReadableStream whose cancel rejects", () =>
    new ReadableStream({
      start(c) {
        c.enqueue(1);
      },
      cancel: () => Promise.reject(new FuzzError("a stream's cancel")),
    }),
  ),
  maker("ReadableStream, idle (closes when the run is released)", (run) =>
    new ReadableStream({
      start(c) {
        void run.released.then(() => {
          try {
            c.close();
          } catch {
            // cancelled already
          }
        });
      },
    }),
  ),
  maker("a locked ReadableStream", () => {
    const stream = new ReadableStream();
    stream.getReader();
    return stream;
  }),
  maker("byte ReadableStream of [1, 2]", () =>
    new ReadableStream({
      type: "bytes",
      start(c) {
        c.enqueue(new Uint8Array([1, 2]));
        c.close();
      },
    }),
  ),
  maker("{ getReader() throws }", () => ({
    getReader() {
      throw new FuzzError("getReader");
    },
  })),
);

/** Reads a WHATWG stream as hostile readers do: a few reads, then cancel (with an odd reason), release, or read to the end. */
export async function readWebStream(stream: unknown, ctx: Ctx, name: string): Promise<void> {
  if (!(stream instanceof ReadableStream)) {
    ctx.violations.push(`${name} returned ${typeof stream}, not a ReadableStream`);
    return;
  }
  let reader: ReadableStreamDefaultReader<unknown> | ReadableStreamBYOBReader | undefined;
  if (ctx.pick(3) === 0) {
    try {
      reader = stream.getReader({ mode: "byob" }); // only a byte stream has one
    } catch {
      reader = undefined;
    }
  }
  reader ??= ctx.call(`${name}.getReader()`, () => stream.getReader()) as ReadableStreamDefaultReader<unknown> | undefined;
  if (reader === undefined) return;
  let pending = 0; // reads not settled yet: releasing the lock would reject them (the platform's rule, not sluice's)
  const read = (): unknown => {
    const result = reader instanceof ReadableStreamBYOBReader ? reader.read(new Uint8Array(4)) : reader.read();
    pending += 1;
    const settled = (): void => void (pending -= 1);
    result.then(settled, settled);
    return result;
  };
  const steps = ctx.pick(5);
  for (let i = 0; i < steps; i += 1) await ctx.briefly(ctx.call(`${name} read()`, read));
  const how = ctx.pick(3);
  if (how === 0) {
    const reason = ctx.value();
    ctx.call(`${name} reader.cancel(x)`, () => reader.cancel(reason));
  } else if (how === 1) {
    for (let i = 0; i < 12; i += 1) {
      const next = ctx.call(`${name} read() (reading on)`, read);
      if (!isPromise(next)) break;
      const result = await Promise.race([next.then((r) => r as { done: boolean }, () => ({ done: true })), ticks(30).then(() => undefined)]);
      if (result === undefined || result.done) break;
    }
    ctx.call(`${name} reader.cancel()`, () => reader.cancel());
  } else if (pending === 0) {
    // Released, then cancelled by whoever reads it next (the stream itself must stop its source).
    ctx.call(`${name} reader.releaseLock()`, () => reader.releaseLock());
    ctx.call(`${name}.cancel()`, () => stream.cancel());
  } else {
    ctx.call(`${name} reader.cancel()`, () => reader.cancel());
  }
}

// ------------------------------------------------------------------ Node streams (sluice/node)

/**
 * The stream's owner: once nobody else listens for its 'error' (sluice let go of it: `destroyOnReturn: false`,
 * or it ended and Node destroys it next, where a failing `_destroy` errors it), the owner does, as Node asks
 * of whoever holds a stream (its own iterator leaves a `_destroy` failing after the end uncaught too).
 */
function owned(readable: Readable): Readable {
  const onOwnersError = (): void => undefined;
  const remove = readable.removeListener.bind(readable);
  const removeListener = (event: string | symbol, listener: (...args: unknown[]) => void): Readable => {
    remove(event, listener);
    if (event === "error" && readable.listenerCount("error") === 0) readable.on("error", onOwnersError);
    return readable;
  };
  readable.removeListener = removeListener as Readable["removeListener"];
  return readable;
}

export const nodeReadables: fc.Arbitrary<Maker> = fc.constantFrom(
  maker("Readable.from([1, 2, 3])", () => Readable.from([1, 2, 3])),
  maker("Readable.from(['ab', 'cd'], { objectMode: false })", () => Readable.from(["ab", "cd"], { objectMode: false })),
  maker("Readable failing after 1", () => {
    let sent = false;
    return owned(new Readable({
      objectMode: true,
      read() {
        if (sent) this.destroy(new FuzzError("a Readable's error"));
        else this.push(1);
        sent = true;
      },
    }));
  }),
  maker("Readable producing 1..500", () => {
    let i = 0;
    return new Readable({
      objectMode: true,
      read() {
        this.push(i < 500 ? (i += 1) : null);
      },
    });
  }),
  maker("Readable, idle (ends when the run is released)", (run) => {
    const readable = new Readable({ objectMode: true, read() {} });
    void run.released.then(() => {
      if (!readable.destroyed) readable.push(null);
    });
    return readable;
  }),
  maker("a destroyed Readable", () => new Readable({ read() {} }).destroy()),
  maker("a Readable destroyed with an error", () => {
    const readable = new Readable({ read() {} });
    readable.on("error", () => undefined);
    readable.destroy(new FuzzError("destroyed before"));
    return readable;
  }),
  maker("a Readable of 1..3 whose _destroy fails", () => {
    let i = 0;
    return owned(new Readable({
      objectMode: true,
      read() {
        this.push(i < 3 ? (i += 1) : null);
      },
      destroy(_error, callback) {
        callback(new FuzzError("a Readable's _destroy"));
      },
    }));
  }),
  maker("{ on, removeListener, read → null, destroy }", () => ({ on() {}, removeListener() {}, read: () => null, destroy() {} })),
);

/**
 * Reads a Node `Readable` as hostile consumers do: `read()` calls, or `for await` for a few values, then
 * `destroy(x)` or reading to the end. An `'error'` is checked (a listener is attached first, as a consumer
 * must); the stream must then close.
 */
export async function readNodeReadable(readable: unknown, ctx: Ctx, name: string): Promise<void> {
  if (!(readable instanceof Readable)) {
    ctx.violations.push(`${name} returned ${typeof readable}, not a Readable`);
    return;
  }
  readable.on("error", (error: unknown) => ctx.check(error, `${name} 'error'`));
  ctx.track(`${name} 'close'`, new Promise<void>((resolve) => readable.once("close", resolve)));
  const steps = ctx.pick(5);
  for (let i = 0; i < steps; i += 1) {
    ctx.call(`${name}.read()`, () => readable.read());
    await ticks(3);
  }
  const how = ctx.pick(3);
  if (how === 0) {
    const reason = ctx.value();
    let error: Error | undefined;
    try {
      error = reason instanceof Error ? reason : undefined;
    } catch {
      error = undefined; // a proxy whose traps throw
    }
    ctx.call(`${name}.destroy(x)`, () => readable.destroy(error));
  } else if (how === 1) {
    ctx.track(
      `reading ${name} to the end`,
      (async () => {
        let n = 0;
        for await (const _ of readable) if ((n += 1) >= 30) break; // breaking destroys it
      })(),
    );
  } else {
    readable.resume();
    await ticks(5);
    ctx.call(`${name}.destroy()`, () => readable.destroy());
  }
}
