// Types: code typed against it-pushable type-checks against sluice/interop with only the import changed.
// `tsc --noEmit` (npm run typecheck) is the real assertion for the expectTypeOf lines and the two fixture
// files; the tests also run both fixtures and compare what they do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as it from "it-pushable";
import { pipe } from "it-pipe";
import type { Duplex, Source } from "it-stream-types";
import { describe, expect, expectTypeOf, test } from "vitest";
import * as sluice from "../../src/interop/index.js";
import * as viaItPushable from "./fixtures/libp2p-style-it-pushable.js";
import * as viaSluice from "./fixtures/libp2p-style-sluice.js";

const { pushable, pushableV } = sluice;

/** What the two fixture modules have in common (their classes are distinct types: they have #private fields). */
interface Fixture {
  readonly ByteList: new (...chunks: Uint8Array[]) => { readonly byteLength: number; subarray(): Uint8Array };
  readonly MuxedStream: new () => Duplex<AsyncIterable<{ subarray(): Uint8Array }>, Source<Uint8Array>, Promise<void>> & {
    readonly log: string[];
    readonly bufferedBytes: number;
    receive(data: { readonly byteLength: number; subarray(): Uint8Array }): unknown;
    remoteClose(err?: Error): void;
    drained(signal: AbortSignal): Promise<void>;
    frames(): Promise<number[][]>;
  };
  events(names: readonly string[]): Promise<string[]>;
}

describe("types", () => {
  test("the libp2p-style fixtures differ only in the module they import pushable from", () => {
    const read = (name: string): string[] => readFileSync(join(import.meta.dirname, "fixtures", `libp2p-style-${name}.ts`), "utf8").split("\n");
    const a = read("it-pushable");
    const b = read("sluice");
    const differing = a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]]]));
    expect(a).toHaveLength(b.length);
    expect(differing).toEqual([
      [expect.stringContaining("written against it-pushable"), expect.stringContaining("written against sluice/interop")],
      [expect.stringMatching(/from "it-pushable";$/), expect.stringMatching(/from "\.\.\/\.\.\/\.\.\/src\/interop\/index\.js";$/)],
    ]);
  });

  test("both fixtures behave the same on a stream's life: receive, drain, close, sink, frames", async () => {
    const run = async (lib: Fixture): Promise<unknown> => {
      const stream = new lib.MuxedStream();
      stream.receive(new lib.ByteList(Uint8Array.of(1, 2), Uint8Array.of(3)));
      stream.receive(new lib.ByteList(Uint8Array.of(4)));
      const buffered = stream.bufferedBytes;
      const read = pipe(stream, async (source) => {
        const chunks: number[][] = [];
        for await (const list of source) chunks.push([...list.subarray()]);
        return chunks;
      });
      await stream.drained(new AbortController().signal);
      stream.remoteClose();
      const frames = stream.frames();
      await stream.sink(
        (async function* () {
          for (const chunk of [Uint8Array.of(9), new lib.ByteList(Uint8Array.of(8, 7)).subarray()]) {
            await new Promise((resolve) => setImmediate(resolve)); // the muxer's reader is waiting each time
            yield chunk;
          }
        })(),
      );
      const chunks = await read;
      return { buffered, chunks, frames: await frames, log: stream.log, events: await lib.events(["open", "data", "close"]) };
    };
    const expected = {
      buffered: 4,
      chunks: [[1, 2, 3], [4]],
      frames: [[9], [8, 7]],
      log: ["read side closed"],
      events: ["open", "data", "close"],
    };
    expect(await run(viaItPushable)).toEqual(expected);
    expect(await run(viaSluice)).toEqual(expected);
  });

  test("pushable() and pushableV() have it-pushable's signatures, and their results are it-pushable's types", async () => {
    // The factories, overloads included, are assignable to it-pushable's.
    expectTypeOf(pushable).toExtend<typeof it.pushable>();
    expectTypeOf(pushableV).toExtend<typeof it.pushableV>();
    // Byte mode by default (Uint8Array); object mode needs `objectMode: true`.
    const bytes = pushable();
    const strings = pushable<string>({ objectMode: true });
    const batches = pushableV<number>({ objectMode: true });
    expectTypeOf(bytes).toEqualTypeOf<sluice.Pushable<Uint8Array>>();
    expectTypeOf(strings).toEqualTypeOf<sluice.Pushable<string>>();
    expectTypeOf(batches).toEqualTypeOf<sluice.PushableV<number>>();
    for (const finished of [bytes.end(), strings.end(), batches.end()]) expect(finished.readableLength).toBe(0);
    // @ts-expect-error a string has no byteLength: byte mode refuses it
    expectTypeOf(pushable<string>).toBeCallableWith();
    // @ts-expect-error the same with an explicit objectMode: false
    expectTypeOf(pushable<string>).toBeCallableWith({ objectMode: false });
    // Ours can go wherever it-pushable's go (not the other way round: ours has ready() and send()).
    expectTypeOf<sluice.Pushable<Uint8Array>>().toExtend<it.Pushable<Uint8Array>>();
    expectTypeOf<sluice.PushableV<Uint8Array>>().toExtend<it.PushableV<Uint8Array>>();
    expectTypeOf<sluice.Pushable<number, string, boolean>>().toExtend<it.Pushable<number, string, boolean>>();
    expectTypeOf<sluice.Pushable<Uint8Array>>().toExtend<AsyncGenerator<Uint8Array, void, unknown>>();
    expectTypeOf<sluice.Pushable<Uint8Array>>().toExtend<Source<Uint8Array>>();
    // it-pushable's option objects are ours too.
    expectTypeOf<it.Options>().toExtend<sluice.Options>();
    expectTypeOf<it.ObjectPushableOptions>().toExtend<sluice.ObjectPushableOptions>();
    expectTypeOf<it.BytePushableOptions>().toExtend<sluice.BytePushableOptions>();
    expectTypeOf<it.AbortOptions>().toEqualTypeOf<sluice.AbortOptions>();
    expectTypeOf<it.NextResult<number>>().toEqualTypeOf<sluice.NextResult<number>>();
    // Chaining keeps the type.
    const p = pushable<number>({ objectMode: true });
    expectTypeOf(p.push(1).push(2).end()).toEqualTypeOf<sluice.Pushable<number>>();
    expectTypeOf(p.send).returns.toEqualTypeOf<Promise<boolean>>();
    const values: number[] = [];
    for await (const value of p) {
      expectTypeOf(value).toEqualTypeOf<number>();
      values.push(value);
    }
    expect(values).toEqual([1, 2]);
  });
});
