// Defects the public-API fuzz test (public-api.fuzz.test.ts) found, each kept as a named regression example
// after its fix. (Those of the core's combinators are in test/core/hostile-input.test.ts.)
import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import {
  AbortError,
  InvalidArgumentError,
  SluiceError,
  channel,
  configureLeakTracking,
  drive,
  isAbortError,
  openBridges,
} from "../../src/core/index.js";
import { pushable } from "../../src/interop/index.js";
import { toReadableStream } from "../../src/core/index.js";
import { toReadable } from "../../src/node/index.js";
import { LeakError, assertNoLeaks, leakChecked, withLeakCheck } from "../../src/testing/index.js";

const invalid = (name: string) =>
  expect.objectContaining({ name: "InvalidArgumentError", code: "ERR_SLUICE_INVALID_ARGUMENT", message: expect.stringContaining(`Expected \`${name}\` to be`) });

/** A proxy whose every trap throws. */
const hostile = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error("trap");
      },
      getPrototypeOf() {
        throw new Error("trap");
      },
    },
  );

describe("sluice", () => {
  test("regression (fuzz): drive() stops its source when sink.write() returns a thenable whose then() throws (the source was left open)", async () => {
    const ch = channel<number>({ name: "source" });
    ch.push(1);
    const broken = new Error("then() broke");
    const write = (): PromiseLike<void> => ({
      then() {
        throw broken;
      },
    });
    await expect(drive(ch, { write })).rejects.toBe(broken);
    expect(openBridges()).toEqual([]);
  });

  test("regression (fuzz): drive() whose source fails with a proxy whose traps throw fails the sink and rejects with that proxy (it rejected with the trap's error and never failed the sink: a gRPC call it wrote to stayed open)", async () => {
    const thrown = hostile();
    const source = { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(thrown) }) };
    let failedWith: unknown = "not failed";
    let rejectedWith: unknown;
    await drive(source, { write() {}, fail: (error) => void (failedWith = error) }).catch((error: unknown) => void (rejectedWith = error));
    expect(failedWith === thrown).toBe(true); // (toBe would inspect the proxy, whose traps throw)
    expect(rejectedWith === thrown).toBe(true);
  });

  test("regression (fuzz): drive() into a Node Writable whose source fails with a proxy whose traps throw destroys the writable with an Error carrying it", async () => {
    const thrown = hostile();
    const source = { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(thrown) }) };
    const writable = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const destroyedWith = new Promise<unknown>((resolve) => writable.once("close", () => resolve(writable.errored)));
    let rejectedWith: unknown;
    await drive(source, writable).catch((error: unknown) => void (rejectedWith = error));
    expect(rejectedWith === thrown).toBe(true);
    const error = (await destroyedWith) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.cause === thrown).toBe(true);
  });

  test("regression (fuzz): isAbortError() of a proxy whose traps throw is false (it threw the trap's error)", () => {
    expect(isAbortError(hostile())).toBe(false);
  });

  test("regression (fuzz): the error classes refuse a message that is not a string with an InvalidArgumentError (were raw TypeErrors)", () => {
    expect(() => new AbortError(Symbol("m") as never)).toThrow(invalid("message"));
    expect(() => new SluiceError("ERR_SLUICE_LEAK", Symbol("m") as never)).toThrow(invalid("message"));
    expect(() => new SluiceError("ERR_SLUICE_NOPE" as never, "m")).toThrow(invalid("code"));
    expect(() => new InvalidArgumentError("x", Object.create(null) as never, 1)).toThrow(invalid("expected"));
    expect(() => new AbortError("m", 5 as never)).toThrow(invalid("options"));
  });

  test("regression (fuzz): InvalidArgumentError describes any value, a proxy whose traps throw and a BigInt included", () => {
    expect(new InvalidArgumentError("x", "y", hostile()).message).toBe("Expected `x` to be y, got an object");
    expect(new InvalidArgumentError("x", "y", 10n).message).toBe("Expected `x` to be y, got 10n");
  });

  test("regression (fuzz): configureLeakTracking() refuses a non-object or a non-boolean switch and changes nothing (was: a raw TypeError)", () => {
    const before = configureLeakTracking({});
    expect(() => configureLeakTracking(undefined as never)).toThrow(invalid("options"));
    expect(() => configureLeakTracking({ enabled: "no" as never, stacks: true })).toThrow(invalid("enabled"));
    expect(configureLeakTracking({})).toEqual(before);
  });

  test("regression (fuzz): toReadableStream({ type: 'bytes' }) errors the stream with an InvalidArgumentError naming a value that is not bytes, and stops its source (was: the platform's raw TypeError, and the source left open)", async () => {
    const ch = channel<unknown>({ name: "not-bytes" });
    ch.push(new Uint8Array([1]));
    ch.push(7);
    ch.push(new Uint8Array([2])); // never read: the source is stopped when the stream fails
    const reader = toReadableStream(ch, { type: "bytes" }).getReader();
    expect(await reader.read()).toEqual({ done: false, value: new Uint8Array([1]) });
    await expect(reader.read()).rejects.toThrow(invalid("value"));
    expect(openBridges()).toEqual([]);
  });

  test("regression (fuzz): toReadableStream({ type: 'bytes' }) skips an empty chunk (was: a TypeError from enqueue, the stream errored)", async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1]);
      yield new Uint8Array(0);
      yield new Uint8Array([2]);
    }
    const reader = toReadableStream(chunks(), { type: "bytes" }).getReader();
    const seen: number[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) seen.push(...r.value);
    expect(seen).toEqual([1, 2]);
  });
});

describe("sluice/node", () => {
  const closed = (readable: NodeJS.EventEmitter): Promise<void> => new Promise((resolve) => readable.once("close", resolve));

  test("regression (fuzz): toReadable() whose source fails with a proxy whose traps throw destroys the stream with an Error carrying it (was: an unhandled rejection from its pump, and a stream that never closed)", async () => {
    const thrown = hostile();
    const source = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(thrown) }),
    };
    const readable = toReadable(source);
    const failed = new Promise((resolve) => readable.once("error", resolve));
    const close = closed(readable);
    readable.resume();
    const error = (await failed) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.cause === thrown).toBe(true); // (toBe would inspect the proxy, whose traps throw)
    await close;
  });

  test("regression (fuzz): toReadable() and toReadableStream() fail with an InvalidArgumentError when [Symbol.asyncIterator]() or [Symbol.iterator]() returns no iterator (was: a TypeError reading 'nextBatch' or 'next')", async () => {
    for (const [source, name] of [
      [{ [Symbol.asyncIterator]: () => undefined }, "source[Symbol.asyncIterator]()"],
      [{ [Symbol.iterator]: () => 5 }, "source[Symbol.iterator]()"],
    ] as const) {
      const readable = toReadable(source as never);
      const failed = new Promise((resolve) => readable.once("error", resolve));
      const close = closed(readable);
      readable.resume();
      expect(await failed).toEqual(invalid(name));
      await close;
    }
    const reader = toReadableStream({ [Symbol.asyncIterator]: () => undefined } as never).getReader();
    await expect(reader.read()).rejects.toThrow(invalid("source[Symbol.asyncIterator]()"));
  });

  test("regression (fuzz): toReadable() refuses a signal that is not an AbortSignal with an InvalidArgumentError (was: Node's ERR_INVALID_ARG_TYPE, or a TypeError from inside Node)", () => {
    expect(() => toReadable([1], { signal: 5 as never })).toThrow(invalid("signal"));
    expect(() => toReadable([1], { signal: { aborted: false } as never })).toThrow(invalid("signal"));
  });

  test("regression (fuzz): toReadable() with a signal whose removeEventListener throws still closes, and nothing escapes (was: an uncaught exception, and no 'close')", async () => {
    const signal = {
      aborted: false,
      addEventListener() {},
      removeEventListener() {
        throw new Error("cannot remove");
      },
    };
    const readable = toReadable([1, 2], { signal: signal as unknown as AbortSignal });
    const values: unknown[] = [];
    for await (const value of readable) values.push(value);
    expect(values).toEqual([1, 2]);
    expect(readable.destroyed).toBe(true);
  });

  test("regression (fuzz): toReadable() with a signal whose addEventListener throws throws that error and stops its source, and nothing escapes (the source's failing return() was an uncaught 'error')", async () => {
    const broken = new Error("cannot listen");
    const signal = {
      aborted: false,
      addEventListener() {
        throw broken;
      },
      removeEventListener() {},
    };
    let returned = 0;
    const source = {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ done: false, value: 1 }),
        return() {
          returned += 1;
          throw new Error("return() broke");
        },
      }),
    };
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      expect(() => toReadable(source, { signal: signal as unknown as AbortSignal })).toThrow(broken);
      for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(returned).toBe(1);
    expect(uncaught).toEqual([]);
  });

  test("toReadable(): an aborted signal destroys the stream with an AbortError (cause: the reason) and stops the source (sluice listens to it itself since the fix above)", async () => {
    const ch = channel<number>({ name: "aborted-source" });
    const controller = new AbortController();
    const readable = toReadable(ch, { signal: controller.signal });
    const failed = new Promise((resolve) => readable.once("error", resolve));
    const close = closed(readable);
    const reason = new Error("shutdown");
    controller.abort(reason);
    expect(await failed).toMatchObject({ name: "AbortError", cause: reason });
    await close;
    expect(openBridges()).toEqual([]);
  });

  test("regression (fuzz): toReadable() fails on a value its mode cannot carry with an InvalidArgumentError naming it (was: a TypeError without a code, or Node's ERR_INVALID_ARG_TYPE)", async () => {
    for (const [objectMode, value] of [
      [true, null],
      [false, 7],
    ] as const) {
      const ch = channel<unknown>({ name: "odd-value" });
      ch.push(value);
      const readable = toReadable(ch, { objectMode });
      const failed = new Promise((resolve) => readable.once("error", resolve));
      const close = closed(readable);
      readable.resume();
      expect(await failed).toEqual(invalid("value"));
      await close;
      expect(openBridges()).toEqual([]);
    }
  });
});

describe("sluice/testing", () => {
  test("regression (fuzz): assertNoLeaks({ turns: Infinity }) throws InvalidArgumentError at once (it waited forever); so do other bad options", () => {
    expect(() => assertNoLeaks({ turns: Infinity })).toThrow(invalid("turns"));
    expect(() => assertNoLeaks({ turns: 1e9 })).toThrow(invalid("turns"));
    expect(() => assertNoLeaks({ turns: Symbol("t") as never })).toThrow(invalid("turns"));
    expect(() => assertNoLeaks({ stopLeaked: "yes" as never })).toThrow(invalid("stopLeaked"));
    expect(() => assertNoLeaks({ baseline: { lastId: "x" } as never })).toThrow(invalid("baseline"));
    expect(() => assertNoLeaks(null as never)).toThrow(invalid("options"));
  });

  test("regression (fuzz): withLeakCheck() and leakChecked() refuse a non-function at once (were: TypeError fn is not a function, later)", () => {
    expect(() => withLeakCheck(undefined as never)).toThrow(invalid("fn"));
    expect(() => leakChecked(undefined as never)).toThrow(invalid("predicate"));
    expect(() => leakChecked(() => undefined, { turns: -1 })).toThrow(invalid("turns"));
  });

  test("regression (fuzz): LeakError refuses arguments that are not BridgeInfo lists (was: TypeError reading 'length')", () => {
    expect(() => new LeakError([], undefined as never)).toThrow(invalid("collected"));
    expect(() => new LeakError([{ name: "x" } as never], [])).toThrow(invalid("bridges[0]"));
    expect(() => new LeakError([], [], -1)).toThrow(invalid("uncounted"));
  });
});

describe("sluice/interop", () => {
  test("regression (fuzz): pushable() with a signal whose addEventListener throws leaves nothing open (the pushable stayed registered)", () => {
    const broken = new Error("cannot listen");
    const signal = {
      aborted: false,
      addEventListener() {
        throw broken;
      },
      removeEventListener() {},
    };
    expect(() => pushable({ objectMode: true, signal: signal as unknown as AbortSignal })).toThrow(broken);
    expect(openBridges()).toEqual([]);
  });

  test("regression (fuzz): an async onEnd that rejects reaches the consumer's next call, not an unhandled rejection", async () => {
    const broke = new Error("async onEnd broke");
    const source = pushable<number>({ objectMode: true, onEnd: () => Promise.reject(broke) as never });
    source.push(1).end();
    expect(await source.next()).toEqual({ done: false, value: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(source.next()).rejects.toBe(broke);
  });

  test("regression (fuzz): onEmpty() refuses a bad options object or signal with a rejected InvalidArgumentError (was: a raw TypeError)", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1);
    await expect(source.onEmpty({ signal: { aborted: false } as never })).rejects.toThrow(invalid("signal"));
    await expect(source.onEmpty(5 as never)).rejects.toThrow(invalid("options"));
    await source.return();
  });
});
