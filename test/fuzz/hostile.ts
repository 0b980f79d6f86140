// The hostile values of the public-API fuzz test (public-api.fuzz.test.ts): wrong types, edge numbers, BigInt,
// Symbol, null, objects that look like signals, iterables and sinks, fake signals that never abort or are
// aborted already, throwing getters, proxies whose every trap throws, and user callbacks that misbehave.
//
// fast-check replays a counterexample while shrinking, so a generated value must not carry state from one
// run to the next (a channel read once is spent). Every value is therefore a `Maker`: a label to print and a
// `make(run)` that builds a fresh value for each run. The user code in them (callbacks, getters, traps)
// throws only `FuzzError`, so the oracle can tell "your code threw" from "sluice threw".
import { fc } from "@fast-check/vitest";
import { channel, pull } from "../../src/core/index.js";

/** What hostile user code throws. Sluice must pass it on as it is, or report its own coded error. */
export class FuzzError extends Error {
  constructor(where: string) {
    super(`thrown by the fuzz test's own code: ${where}`);
    this.name = "FuzzError";
  }
}

/** The state of one run: the values its makers built, and the sluice bridges it built as inputs. */
export class Run {
  /** Values handed to sluice that may come back as a rejection reason (an error given to `end(err)`, say). */
  readonly created = new Set<unknown>();
  /** Sluice bridges built for the call's arguments: an export that takes sources owns them once the call succeeded. */
  readonly inputs: Array<{ return(): Promise<unknown> }> = [];
  /** Sluice bridges built as values while driving the result (pushed, given as a reason…): never owned by sluice. */
  readonly extras: Array<{ return(): Promise<unknown> }> = [];
  /** Work started by hostile values (a fake signal's later abort): awaited before the run ends. */
  readonly background: Array<Promise<unknown>> = [];
  /** What to close once the run settled (a client, a channel, a server): run last, awaited. */
  readonly cleanups: Array<() => unknown> = [];
  /**
   * Resolves once the run has driven its result: what "never ends" in this run (a handler waiting for its
   * signal, requests that never end, an open channel) ends then, so that no run can hang on its own values.
   */
  readonly released: Promise<void>;
  readonly #release: () => void;

  constructor() {
    let release = (): void => undefined;
    this.released = new Promise<void>((resolve) => (release = resolve));
    this.#release = release;
  }

  /** Ends what "never ends" in this run (see {@link released}). */
  release(): void {
    this.#release();
  }

  /** Builds `maker`'s value for this run and remembers it. */
  make<T>(maker: Maker<T>): T {
    const value = maker.make(this);
    this.created.add(value);
    return value;
  }
}

/** A hostile value, built afresh for every run. */
export interface Maker<T = unknown> {
  readonly label: string;
  make(run: Run): T;
}

export function maker<T>(label: string, make: (run: Run) => T): Maker<T> {
  return { label, make, [fc.toStringMethod]: () => label } as Maker<T>;
}

const value = <T>(label: string, v: T): Maker<T> => maker(label, () => v);

/** Lets `n` microtasks pass. */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
}

// ------------------------------------------------------------------ primitives and plain objects

export const primitives: readonly Maker[] = [
  value("undefined", undefined),
  value("null", null),
  value("true", true),
  value("false", false),
  value("0", 0),
  value("-0", -0),
  value("1", 1),
  value("-1", -1),
  value("1.5", 1.5),
  value("NaN", Number.NaN),
  value("Infinity", Infinity),
  value("-Infinity", -Infinity),
  value("2 ** 53", 2 ** 53),
  value("1e20", 1e20),
  value("-1e20", -1e20),
  value("Number.MAX_VALUE", Number.MAX_VALUE),
  value("Number.MIN_VALUE", Number.MIN_VALUE),
  value('""', ""),
  value('"wait"', "wait"),
  value('"x"', "x"),
  value("10n", 10n),
  value("-1n", -1n),
  maker("Symbol()", () => Symbol("fuzz")),
];

export const objects: readonly Maker[] = [
  maker("{}", () => ({})),
  maker("[]", () => []),
  maker("[1, 2]", () => [1, 2]),
  maker("Object.create(null)", () => Object.create(null) as object),
  maker("new Date(NaN)", () => new Date(Number.NaN)),
  maker("new Date(0)", () => new Date(0)),
  maker("new Map()", () => new Map()),
  maker("/x/", () => /x/),
  maker("new Error()", () => new Error("an ordinary error")),
  maker("Promise.resolve(1)", () => Promise.resolve(1)),
  maker("class {}", () => class {}),
];

/** A proxy whose every trap throws: any property read, `in`, `instanceof`, spread… throws a FuzzError. */
export const throwingProxy: Maker = maker("proxy whose every trap throws", () => {
  const trap = (name: string) => (): never => {
    throw new FuzzError(`proxy trap ${name}`);
  };
  return new Proxy(
    {},
    {
      get: trap("get"),
      has: trap("has"),
      ownKeys: trap("ownKeys"),
      getPrototypeOf: trap("getPrototypeOf"),
      getOwnPropertyDescriptor: trap("getOwnPropertyDescriptor"),
      set: trap("set"),
      defineProperty: trap("defineProperty"),
    },
  );
});

/** An object whose named properties are getters that throw. */
export function throwingGetters(keys: readonly string[]): Maker {
  return maker(`{ throwing getters: ${keys.join(", ")} }`, () => {
    const target = {};
    for (const key of keys) {
      Object.defineProperty(target, key, {
        enumerable: true,
        get: () => {
          throw new FuzzError(`getter ${key}`);
        },
      });
    }
    return target;
  });
}

// ------------------------------------------------------------------ user callbacks

/**
 * A callback maker: what `body` returns is remembered as the run's own value, since sluice may hand it back
 * (a typed failure from `onError`, say).
 */
function callback(label: string, body: (...args: unknown[]) => unknown): Maker {
  return maker(label, (run) => (...args: unknown[]) => {
    const result = body(...args);
    run.created.add(result);
    // A promise the callback returns is also handled here, as if its author awaited it elsewhere: so an
    // unhandled rejection can only come from a promise sluice made (where sluice awaits it, it still sees
    // the rejection: handlers do not consume it).
    if (result instanceof Promise) result.catch(() => undefined);
    return result;
  });
}

/** Functions that return something odd, throw, reject, or resolve: what a careless callback does. */
export const functions: readonly Maker[] = [
  callback("() => undefined", () => undefined),
  callback("() => 42", () => 42),
  callback("() => null", () => null),
  callback("() => { throw }", () => {
    throw new FuzzError("a callback");
  }),
  callback("async () => { throw }", async () => {
    await ticks(1);
    throw new FuzzError("an async callback");
  }),
  callback("() => Promise.resolve(7)", () => Promise.resolve(7)),
  callback("() => Promise.reject(FuzzError)", () => Promise.reject(new FuzzError("a rejected promise"))),
  callback("() => thenable that throws", () => ({
    then() {
      throw new FuzzError("a thenable's then");
    },
  })),
  callback("async () => {}", async () => {
    await ticks(2);
  }),
];

export function callbackArb(): fc.Arbitrary<Maker> {
  return fc.constantFrom(...functions);
}

// ------------------------------------------------------------------ signals

/** A fake signal: the members sluice uses, and (if `abortAfter` is set) an abort `abortAfter` microtasks later. */
function fakeSignal(options: { aborted?: boolean; abortAfter?: number; reason?: unknown; brokenRemove?: boolean; brokenAdd?: boolean }): (run: Run) => object {
  return (run) => {
    const listeners = new Set<() => void>();
    const signal = {
      aborted: options.aborted ?? false,
      reason: options.reason,
      addEventListener(_type: string, listener: () => void) {
        if (options.brokenAdd === true) throw new FuzzError("signal.addEventListener");
        listeners.add(listener);
      },
      removeEventListener(_type: string, listener: () => void) {
        if (options.brokenRemove === true) throw new FuzzError("signal.removeEventListener");
        listeners.delete(listener);
      },
    };
    if (options.abortAfter !== undefined) {
      run.background.push(
        ticks(options.abortAfter).then(() => {
          signal.aborted = true;
          signal.reason = options.reason ?? new FuzzError("the fake signal's reason");
          for (const listener of [...listeners]) listener();
        }),
      );
    }
    return signal;
  };
}

export const signals: readonly Maker[] = [
  maker("{ aborted: false }", () => ({ aborted: false })),
  maker("{ aborted: false, addEventListener }", () => ({ aborted: false, addEventListener() {} })),
  maker("{ aborted: 'no', add…, remove… }", () => ({ aborted: "no", addEventListener() {}, removeEventListener() {} })),
  maker("fake signal, never aborts", fakeSignal({})),
  maker("fake signal, aborted already", fakeSignal({ aborted: true, reason: "already" })),
  maker("fake signal, aborts after 1 tick", fakeSignal({ abortAfter: 1 })),
  maker("fake signal, aborts after 5 ticks", fakeSignal({ abortAfter: 5 })),
  maker("fake signal, addEventListener throws", fakeSignal({ brokenAdd: true })),
  maker("fake signal, removeEventListener throws", fakeSignal({ brokenRemove: true })),
  maker("fake signal, aborted getter throws", () => ({
    get aborted(): boolean {
      throw new FuzzError("signal.aborted");
    },
    addEventListener() {},
    removeEventListener() {},
  })),
  maker("AbortSignal, never aborts", () => new AbortController().signal),
  maker("AbortSignal.abort()", () => AbortSignal.abort(new FuzzError("a reason"))),
  maker("AbortSignal, aborts after 1 tick", (run) => {
    const controller = new AbortController();
    run.background.push(ticks(1).then(() => controller.abort(new FuzzError("a later reason"))));
    return controller.signal;
  }),
  maker("AbortSignal, aborts after 8 ticks", (run) => {
    const controller = new AbortController();
    run.background.push(ticks(8).then(() => controller.abort()));
    return controller.signal;
  }),
];

// ------------------------------------------------------------------ iterables

/** An async iterable of `values`, optionally failing (with a FuzzError, or `failWith`'s value), with a `return()` that may throw. */
function asyncIterable(
  values: readonly unknown[],
  plan: { failAt?: number; syncThrow?: boolean; brokenReturn?: "throw" | "reject" | "missing"; failWith?: Maker },
): (run: Run) => AsyncIterable<unknown> {
  return (run) => ({
    [Symbol.asyncIterator]() {
      let i = 0;
      const iterator: AsyncIterator<unknown> = {
        next() {
          if (plan.failAt !== undefined && i === plan.failAt) {
            i += 1;
            if (plan.syncThrow === true) throw new FuzzError("an iterator's next()");
            return Promise.reject(plan.failWith === undefined ? new FuzzError("an iterator's next() rejection") : run.make(plan.failWith));
          }
          if (i >= values.length) return Promise.resolve({ done: true, value: undefined });
          return Promise.resolve({ done: false, value: values[i++] });
        },
      };
      if (plan.brokenReturn !== "missing") {
        iterator.return = () => {
          i = values.length;
          if (plan.brokenReturn === "throw") throw new FuzzError("an iterator's return()");
          if (plan.brokenReturn === "reject") return Promise.reject(new FuzzError("an iterator's return() rejection"));
          return Promise.resolve({ done: true, value: undefined });
        };
      }
      return iterator;
    },
  });
}

export const iterables: readonly Maker[] = [
  maker("{ [asyncIterator]: 5 }", () => ({ [Symbol.asyncIterator]: 5 })),
  maker("{ [asyncIterator]() → undefined }", () => ({ [Symbol.asyncIterator]: () => undefined })),
  maker("{ [asyncIterator]() → {} }", () => ({ [Symbol.asyncIterator]: () => ({}) })),
  maker("{ [asyncIterator]() throws }", () => ({
    [Symbol.asyncIterator]() {
      throw new FuzzError("[Symbol.asyncIterator]()");
    },
  })),
  maker("[1, 2, 3] (sync iterable)", () => [1, 2, 3]),
  maker('"abc"', () => "abc"),
  maker("async iterable of 1, 2, 3", asyncIterable([1, 2, 3], {})),
  maker("empty async iterable", asyncIterable([], {})),
  maker("async iterable of odd values", asyncIterable([undefined, null, Number.NaN, Symbol.iterator, 10n], {})),
  maker("async iterable failing at 1 (rejects)", asyncIterable([1, 2, 3], { failAt: 1 })),
  maker("async iterable failing at 0 (throws)", asyncIterable([1, 2, 3], { failAt: 0, syncThrow: true })),
  maker("async iterable whose return() throws", asyncIterable([1, 2, 3, 4, 5], { brokenReturn: "throw" })),
  maker("async iterable whose return() rejects", asyncIterable([1, 2, 3, 4, 5], { brokenReturn: "reject" })),
  maker("async iterable without return()", asyncIterable([1, 2, 3], { brokenReturn: "missing" })),
  maker("async generator of 1..4", () =>
    (async function* () {
      for (let i = 1; i <= 4; i += 1) {
        await ticks(1);
        yield i;
      }
    })(),
  ),
  maker("channel with 1, 2, ended", (run) => {
    const ch = channel<number>({ name: "fuzz-input" });
    ch.push(1);
    ch.push(2);
    ch.end();
    run.inputs.push(ch);
    return ch;
  }),
  maker("channel failed after 1", (run) => {
    const ch = channel<number>({ name: "fuzz-input" });
    ch.push(1);
    ch.fail(new FuzzError("a channel's failure"));
    run.inputs.push(ch);
    return ch;
  }),
  maker("channel, open, never ends (until the run is released)", (run) => {
    const ch = channel<number>({ name: "fuzz-input" });
    ch.push(1);
    run.inputs.push(ch);
    void run.released.then(() => ch.end());
    return ch;
  }),
  maker("async iterable failing at 1 with a proxy whose traps throw", asyncIterable([1, 2], { failAt: 1, failWith: throwingProxy })),
  maker('async iterable failing at 0 with "a string"', asyncIterable([1], { failAt: 0, failWith: maker('"a string"', () => "a string") })),
  maker("pull of 1..3", (run) => {
    const it = pull<number>(
      async (send) => {
        for (let i = 1; i <= 3; i += 1) if (!(await send(i))) return;
      },
      { name: "fuzz-input" },
    );
    run.inputs.push(it);
    return it;
  }),
];

// ------------------------------------------------------------------ sinks (for drive)

export const sinks: readonly Maker[] = [
  maker("{ write: 5 }", () => ({ write: 5 })),
  maker("{ write, end: 'x' }", () => ({ write() {}, end: "x" })),
  maker("{ write → true }", () => ({ write: () => true })),
  maker("{ write → false } (no waitForDrain)", () => ({ write: () => false })),
  maker("{ write → false, waitForDrain → resolves }", () => ({ write: () => false, waitForDrain: () => Promise.resolve() })),
  maker("{ write → false, waitForDrain throws }", () => ({
    write: () => false,
    waitForDrain() {
      throw new FuzzError("sink.waitForDrain");
    },
  })),
  maker("{ write → false, waitForDrain → 5 }", () => ({ write: () => false, waitForDrain: () => 5 })),
  maker("{ write throws }", () => ({
    write() {
      throw new FuzzError("sink.write");
    },
  })),
  maker("{ write rejects, fail throws }", () => ({
    write: () => Promise.reject(new FuzzError("sink.write rejection")),
    fail() {
      throw new FuzzError("sink.fail");
    },
  })),
  maker("{ write → thenable that throws }", () => ({
    write: () => ({
      then() {
        throw new FuzzError("a thenable's then");
      },
    }),
  })),
  maker("{ write, end rejects }", () => ({ write() {}, end: () => Promise.reject(new FuzzError("sink.end")) })),
  maker("{ write, end → Promise, fail → Promise.reject }", () => ({
    write: () => Promise.resolve(true),
    end: () => Promise.resolve(),
    fail: () => Promise.reject(new FuzzError("sink.fail rejection")),
  })),
];

// ------------------------------------------------------------------ combining them

/** Any hostile value at all. */
export const anything: fc.Arbitrary<Maker> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...primitives) },
  { weight: 2, arbitrary: fc.constantFrom(...objects) },
  { weight: 1, arbitrary: fc.constant(throwingProxy) },
  { weight: 2, arbitrary: fc.constantFrom(...signals) },
  { weight: 2, arbitrary: fc.constantFrom(...iterables) },
  { weight: 2, arbitrary: fc.constantFrom(...functions) },
  { weight: 1, arbitrary: fc.constantFrom(...sinks) },
);

/** Mostly plausible values (`good`, weighted 3), sometimes anything hostile. */
export function either(...good: Array<fc.Arbitrary<Maker>>): fc.Arbitrary<Maker> {
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...good) }, { weight: 1, arbitrary: anything });
}

/** Plausible values, as makers. */
export const plausible = {
  count: fc.oneof(fc.nat({ max: 4 }), fc.constant(Infinity)).map((n) => value(String(n), n)),
  positive: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)).map((n) => value(String(n), n)),
  overflow: fc.constantFrom("wait", "drop-oldest", "drop-newest", "error").map((o) => value(`"${o}"`, o)),
  boolean: fc.boolean().map((b) => value(String(b), b)),
  name: fc.constantFrom("a", "fuzzed").map((n) => value(`"${n}"`, n)),
  ms: fc.oneof(fc.nat({ max: 3 }), fc.constant(Infinity)).map((n) => value(String(n), n)),
  signal: fc.constantFrom(...signals.slice(3)),
  iterable: fc.constantFrom(...iterables.slice(6)),
  callback: callbackArb(),
  sink: fc.constantFrom(...sinks.slice(2)),
  absent: fc.constant(value("undefined", undefined)),
};

/**
 * An options object: each key present or not, its value plausible or hostile; sometimes the whole object is
 * hostile instead (a primitive, a throwing proxy, an object whose getters throw).
 */
export function options(shape: Record<string, fc.Arbitrary<Maker>>): fc.Arbitrary<Maker> {
  const keys = Object.keys(shape);
  const record = fc.record(shape, { requiredKeys: [] }).map((picked) => {
    const entries = Object.entries(picked) as Array<[string, Maker]>;
    const label = `{ ${entries.map(([k, m]) => `${k}: ${m.label}`).join(", ")} }`;
    return maker(label, (run) => Object.fromEntries(entries.map(([k, m]) => [k, run.make(m)])));
  });
  return fc.oneof(
    { weight: 6, arbitrary: record },
    { weight: 1, arbitrary: fc.constant(value("undefined", undefined)) },
    { weight: 1, arbitrary: anything },
    { weight: 1, arbitrary: fc.subarray(keys, { minLength: 1 }).map((ks) => throwingGetters(ks)) },
  );
}

/** Makers for the arguments of one call, built into fresh values for each run. */
export function args(...each: Array<fc.Arbitrary<Maker>>): fc.Arbitrary<Maker[]> {
  return fc.tuple(...each);
}

/** An array maker: each element from `element`. */
export function arrayOf(element: fc.Arbitrary<Maker>, maxLength = 3): fc.Arbitrary<Maker> {
  return fc.array(element, { maxLength }).map((items) =>
    maker(`[${items.map((m) => m.label).join(", ")}]`, (run) => items.map((m) => run.make(m))),
  );
}
