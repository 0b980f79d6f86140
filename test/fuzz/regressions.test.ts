// Defects the public-API fuzz test (public-api.fuzz.test.ts) found, each kept as a named regression example
// after its fix. (Those of the core's combinators are in test/core/hostile-input.test.ts.)
import { describe, expect, test } from "vitest";
import {
  AbortError,
  InvalidArgumentError,
  SluiceError,
  channel,
  configureLeakTracking,
  drive,
  openBridges,
} from "../../src/core/index.js";
import { pushable } from "../../src/interop/index.js";
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
