// Planted leaks (each must be detected) and their clean twins (each must pass). The leak rules of docs/semantics.md: registry, leak check, GC backstop.
import { EventEmitter } from "node:events";
import { describe, expect, test, vi } from "vitest";
import { channel, configureLeakTracking, openBridges, pull, subscribe } from "../../src/core/index.js";
import { LeakError, assertNoLeaks, leakBaseline, withLeakCheck } from "../../src/testing/index.js";
import { MAX_COLLECTED_REPORTS } from "../../src/core/registry.js";
import { flush } from "../helpers.js";

/** A source of ticks that, like a real event source, keeps its listener until torn down. */
function ticker(name: string) {
  const emitter = new EventEmitter();
  const teardown = vi.fn();
  const source = subscribe<number>(
    (sink) => {
      emitter.on("tick", sink.push);
      return () => {
        teardown();
        emitter.off("tick", sink.push);
      };
    },
    { name },
  );
  return { emitter, teardown, source };
}

async function expectLeak(run: () => Promise<void>, ...fragments: string[]): Promise<LeakError> {
  const error = await withLeakCheck(run).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeakError);
  for (const fragment of fragments) expect((error as LeakError).message).toContain(fragment);
  return error as LeakError;
}

describe("registry", () => {
  test("registry: openBridges lists an open bridge with name, kind, state and age; it leaves when finished", async () => {
    const ch = channel<number>({ name: "jobs" });
    ch.push(1);
    ch.push(2);
    const pending = channel<number>({ name: "waiting" });
    const next = pending.next();
    const listed = openBridges();
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "jobs", kind: "channel", buffered: 2, phase: "open", state: "2 values buffered and not read" }),
        expect.objectContaining({ name: "waiting", pendingNext: 1, state: "consumer waiting in next() (1 pending)" }),
      ]),
    );
    expect(listed[0]?.ageMs).toBeGreaterThanOrEqual(0);
    await ch.return();
    await pending.return();
    await next;
    expect(openBridges()).toEqual([]);
  });

  test("registry: a producer blocked in send() is reported as such", async () => {
    const ch = channel<number>({ name: "blocked", highWaterMark: 0 });
    const sent = ch.send(1);
    expect(openBridges()).toEqual([expect.objectContaining({ name: "blocked", pendingSend: 1, buffered: 0 })]);
    await ch.return();
    expect(await sent).toBe(false);
  });

  test("registry: an exhausted bridge leaves the registry even if the final done was never read", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.end();
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(openBridges()).toEqual([]);
  });

  test("registry: stacks are captured only when tracing is on, and point at the caller", async () => {
    const before = configureLeakTracking({ stacks: true });
    try {
      const traced = channel<number>({ name: "traced" });
      expect(openBridges()[0]?.stack).toContain("leaks.test.ts");
      await traced.return();
      configureLeakTracking({ stacks: false });
      const untraced = channel<number>({ name: "untraced" });
      expect(openBridges()[0]?.stack).toBeUndefined();
      await untraced.return();
    } finally {
      configureLeakTracking(before);
    }
  });

  test("registry: with tracking disabled nothing is registered", async () => {
    const before = configureLeakTracking({ enabled: false });
    try {
      const ch = channel<number>();
      expect(openBridges()).toEqual([]);
      await ch.return();
    } finally {
      configureLeakTracking(before);
    }
  });

  test("configureLeakTracking refuses what is not its options, naming the option, and changes nothing then", () => {
    const before = configureLeakTracking({});
    const refused = (name: string, expected: string) =>
      expect.objectContaining({ code: "ERR_SLUICE_INVALID_ARGUMENT", message: expect.stringContaining(`Expected \`${name}\` to be ${expected}`) });
    for (const bad of [null, undefined, 1, "stacks"]) expect(() => configureLeakTracking(bad as never)).toThrow(refused("options", "an object"));
    expect(() => configureLeakTracking({ enabled: 0 as never })).toThrow(refused("enabled", "a boolean"));
    expect(() => configureLeakTracking({ stacks: "yes" as never })).toThrow(refused("stacks", "a boolean"));
    expect(() => configureLeakTracking({ enabled: false, stacks: 1 as never })).toThrow(refused("stacks", "a boolean"));
    expect(configureLeakTracking({})).toEqual(before); // the refused calls set nothing, not even `enabled: false`
    // It returns the settings before the call, and keeps what a call leaves out.
    try {
      expect(configureLeakTracking({ stacks: !before.stacks })).toEqual(before);
      expect(configureLeakTracking({ enabled: !before.enabled })).toEqual({ enabled: before.enabled, stacks: !before.stacks });
      expect(configureLeakTracking({})).toEqual({ enabled: !before.enabled, stacks: !before.stacks });
    } finally {
      configureLeakTracking(before);
    }
  });
});

describe("leak check: planted leaks are detected; clean twins pass", () => {
  test("planted leak: abandoned after one next()", async () => {
    let planted!: ReturnType<typeof ticker>;
    await expectLeak(
      async () => {
        planted = ticker("abandoned");
        const { emitter, source } = planted;
        const first = source.next();
        emitter.emit("tick", 1);
        expect(await first).toEqual({ value: 1, done: false });
      },
      'subscribe "abandoned"',
      "nobody is reading it",
      "for await",
    );
    // assertNoLeaks stopped what it reported: the listener is gone.
    expect(planted.teardown).toHaveBeenCalledTimes(1);
    expect(planted.emitter.listenerCount("tick")).toBe(0);
  });

  test("clean twin: for await over the same source", async () => {
    const { emitter, teardown, source } = ticker("iterated");
    await withLeakCheck(async () => {
      const consumer = (async () => {
        for await (const v of source) if (v === 1) break;
      })();
      await flush();
      emitter.emit("tick", 1);
      await consumer;
    });
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  test("planted leak: a manual next() loop that exits without return()", async () => {
    await expectLeak(async () => {
      const { emitter, source } = ticker("manual-loop");
      const loop = (async () => {
        for (;;) {
          const r = await source.next();
          if (r.done === true || r.value >= 2) break; // forgot source.return()
        }
      })();
      await flush();
      for (let i = 0; i < 3; i += 1) emitter.emit("tick", i);
      await loop;
    }, 'subscribe "manual-loop"');
  });

  test("clean twin: a manual next() loop with return() in finally", async () => {
    const { emitter, teardown, source } = ticker("manual-loop-clean");
    await withLeakCheck(async () => {
      const loop = (async () => {
        try {
          for (;;) {
            const r = await source.next();
            if (r.done === true || r.value >= 2) break;
          }
        } finally {
          await source.return();
        }
      })();
      await flush();
      for (let i = 0; i < 3; i += 1) emitter.emit("tick", i);
      await loop;
    });
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  test("planted leak: a consumer that throws out of its loop body around a bridge that is not for await", async () => {
    await expectLeak(async () => {
      const ch = channel<number>({ name: "thrown-out" });
      ch.push(1);
      ch.push(2);
      await expect(
        (async () => {
          for (let r = await ch.next(); r.done !== true; r = await ch.next()) throw new Error(`bad value ${r.value}`);
        })(),
      ).rejects.toThrow("bad value 1");
    }, 'channel "thrown-out"', "1 value buffered");
  });

  test("clean twin: the same consumer with for await (which calls return() on throw)", async () => {
    const ch = channel<number>({ name: "thrown-out-clean" });
    await withLeakCheck(async () => {
      ch.push(1);
      ch.push(2);
      await expect(
        (async () => {
          for await (const v of ch) throw new Error(`bad value ${v}`);
        })(),
      ).rejects.toThrow("bad value 1");
    });
  });

  test("planted leak: a producer left blocked in send() after the consumer errored", async () => {
    let released: boolean | undefined;
    const error = await expectLeak(async () => {
      const source = pull<number>(
        async (send) => {
          for (let i = 0; ; i += 1) {
            released = await send(i);
            if (!released) return;
          }
        },
        { name: "blocked-producer" },
      );
      const consume = async (): Promise<void> => {
        await source.next();
        throw new Error("consumer failed"); // and never stops the source
      };
      await expect(consume()).rejects.toThrow("consumer failed");
    }, 'pull "blocked-producer"', "producer waiting in send()", "blocked in send()");
    expect(error.bridges[0]?.pendingSend).toBe(1);
    expect(released).toBe(false); // assertNoLeaks stopped it, which released the producer
  });

  test("clean twin: the consumer stops the source in finally; the producer is released", async () => {
    let released: boolean | undefined;
    await withLeakCheck(async () => {
      const source = pull<number>(async (send) => {
        for (let i = 0; ; i += 1) {
          released = await send(i);
          if (!released) return;
        }
      });
      const consume = async (): Promise<void> => {
        try {
          await source.next();
          throw new Error("consumer failed");
        } finally {
          await source.return();
        }
      };
      await expect(consume()).rejects.toThrow("consumer failed");
    });
    expect(released).toBe(false);
  });

  // The Thanos bug (thanos PR 7821): a request handler reads a store through a bridge; when the request is
  // cancelled it returns early, and nothing stops the bridge, so the store's reader stays open forever.
  async function handle(request: AbortSignal, opts: { stopOnCancel: boolean }): Promise<number[]> {
    const storeReaders = { open: 0 };
    const series = pull<number>(
      async (send) => {
        storeReaders.open += 1;
        try {
          for (let i = 0; ; i += 1) if (!(await send(i))) return;
        } finally {
          storeReaders.open -= 1;
        }
      },
      { name: "store-series", ...(opts.stopOnCancel ? { signal: request } : {}) },
    );
    const out: number[] = [];
    for (;;) {
      if (request.aborted) return out; // the cancellation path
      const r = await series.next().catch(() => ({ done: true as const, value: undefined }));
      if (r.done === true) return out;
      out.push(r.value);
      if (out.length === 3) (request as AbortSignal & { cancel?: () => void }).cancel?.();
    }
  }

  function cancellable(): AbortSignal {
    const controller = new AbortController();
    return Object.assign(controller.signal, { cancel: () => controller.abort("client went away") });
  }

  test("planted leak: a cancellation path that forgets to stop (the Thanos bug)", async () => {
    await expectLeak(async () => {
      expect(await handle(cancellable(), { stopOnCancel: false })).toEqual([0, 1, 2]);
    }, 'pull "store-series"', "producer waiting in send()");
  });

  test("clean twin: the same handler passing the request's signal to the bridge", async () => {
    await withLeakCheck(async () => {
      expect(await handle(cancellable(), { stopOnCancel: true })).toEqual([0, 1, 2]);
    });
  });

  test("leak check: a bridge created and never iterated is reported as never started", async () => {
    await expectLeak(async () => {
      subscribe<number>(() => undefined, { name: "unused" });
    }, 'subscribe "unused"', "never started", "never iterated");
  });

  test("leak check: the message says how to turn stacks on, or shows where the bridge was opened", async () => {
    await expectLeak(async () => {
      channel<number>({ name: "no-stack" });
    }, "SLUICE_TRACE_LEAKS=1");
    const before = configureLeakTracking({ stacks: true });
    try {
      await expectLeak(async () => {
        channel<number>({ name: "with-stack" });
      }, "Opened at:", "leaks.test.ts");
    } finally {
      configureLeakTracking(before);
    }
  });

  test("leak check: without stacks, the report's own stack starts at the test's line, not inside sluice", async () => {
    const inSluice = /[/\\]src[/\\](core|testing)[/\\]|node_modules[/\\]sluice[/\\]/;
    const firstFrame = (error: unknown): string => String((error as Error).stack).split("\n").find((line) => line.trimStart().startsWith("at ")) ?? "";

    const direct = channel<number>({ name: "direct" });
    const fromAssert = await assertNoLeaks().catch((error: unknown) => error);
    expect(fromAssert).toBeInstanceOf(LeakError);
    expect(firstFrame(fromAssert)).toContain("leaks.test.ts");
    expect(String((fromAssert as Error).stack)).not.toMatch(inSluice);
    void direct;

    const fromWrapper = await withLeakCheck(async () => {
      channel<number>({ name: "wrapped" });
    }).catch((error: unknown) => error);
    expect(fromWrapper).toBeInstanceOf(LeakError);
    expect(firstFrame(fromWrapper)).toContain("leaks.test.ts");
    expect(String((fromWrapper as Error).stack)).not.toMatch(inSluice);
  });

  test("leak check: a baseline excludes bridges that were open before it", async () => {
    const older = channel<number>({ name: "older" });
    const baseline = leakBaseline();
    await assertNoLeaks({ baseline });
    const newer = channel<number>({ name: "newer" });
    const error = await assertNoLeaks({ baseline, stopLeaked: false }).catch((e: unknown) => e as LeakError);
    expect(error?.bridges.map((b) => b.name)).toEqual(["newer"]);
    await older.return();
    await newer.return();
  });

  test("leak check: with a baseline, it stops only the bridges created after it", async () => {
    const older = channel<number>({ name: "older" });
    const baseline = leakBaseline(); // older is the last bridge before it
    channel<number>({ name: "newer" });
    const error = await assertNoLeaks({ baseline }).catch((e: unknown) => e as LeakError);
    expect(error?.bridges.map((b) => b.name)).toEqual(["newer"]);
    expect(openBridges().map((b) => b.name)).toEqual(["older"]); // not the check's to stop: it still works
    older.push(1);
    expect(await older.next()).toEqual({ value: 1, done: false });
    await older.return();
  });
});

describe("GC backstop", () => {
  const gc = (globalThis as { gc?: () => void }).gc;

  test.runIf(gc !== undefined)("GC backstop: a consumer handle collected while open is reported and its producer stopped", async () => {
    const emitter = new EventEmitter();
    const teardown = vi.fn();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      // Open, read once, drop: only the emitter's listener (the producer side) still holds the bridge.
      await (async () => {
        const source = subscribe<number>(
          (sink) => {
            emitter.on("tick", sink.push);
            return () => {
              teardown();
              emitter.off("tick", sink.push);
            };
          },
          { name: "dropped" },
        );
        const first = source.next();
        emitter.emit("tick", 1);
        await first;
      })();
      for (let i = 0; i < 50 && teardown.mock.calls.length === 0; i += 1) {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(teardown).toHaveBeenCalledTimes(1);
      expect(emitter.listenerCount("tick")).toBe(0);
      await flush();
      const warning = warnings.find((w) => (w as Error & { code?: string }).code === "ERR_SLUICE_LEAK");
      expect(warning?.name).toBe("SluiceLeakWarning");
      expect(warning?.message).toContain('subscribe "dropped" was garbage-collected while open');
      // What --trace-warnings prints: no frame inside sluice's registry.
      expect(String(warning?.stack)).not.toMatch(/registry\.(ts|js)/);
      const error = await assertNoLeaks().catch((e: unknown) => e as LeakError);
      expect(error?.message).toContain("garbage-collected while open");
    } finally {
      process.off("warning", onWarning);
    }
  });

  test.runIf(gc !== undefined)("GC backstop: it keeps at most 100 reports between two checks and counts the rest (was: every report, forever)", async () => {
    // A long-running service never calls assertNoLeaks(): its reports must not pile up in memory.
    const abandoned = 3 * MAX_COLLECTED_REPORTS;
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined); // 300 warnings: not on stderr
    try {
      const baseline = leakBaseline();
      (() => {
        for (let i = 0; i < abandoned; i += 1) channel<number>({ name: `abandoned-${i}` }).push(i);
      })();
      await flush(); // the registry watches handles from the next turn on
      for (let i = 0; i < 100 && warn.mock.calls.length < abandoned; i += 1) {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(warn.mock.calls.length).toBe(abandoned); // each one was still reported as a warning
      const error = await assertNoLeaks({ baseline }).catch((e: unknown) => e as LeakError);
      expect(error).toBeInstanceOf(LeakError);
      expect(error?.bridges).toHaveLength(MAX_COLLECTED_REPORTS);
      expect(error?.message).toContain(`sluice: ${abandoned} bridges were left open.`);
      expect(error?.message).toContain(`… and ${abandoned - MAX_COLLECTED_REPORTS} more garbage-collected while open, not listed`);
      // Taken: the list starts empty again.
      await expect(assertNoLeaks({ baseline })).resolves.toBeUndefined();
    } finally {
      warn.mockRestore();
    }
  });

  test.runIf(gc !== undefined)("GC backstop, clean twin: a finished bridge that is collected is not reported", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      await (async () => {
        const ch = channel<number>({ name: "finished" });
        ch.push(1);
        ch.end();
        for await (const _ of ch);
      })();
      for (let i = 0; i < 5; i += 1) {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(warnings.filter((w) => w.message.includes('"finished"'))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

test("withLeakCheck: a function that throws gets its own error back, and the bridges it opened are stopped", async () => {
  let tornDown = 0;
  let pending: Promise<IteratorResult<number, undefined>> | undefined;
  const failure = new Error("the code under test failed");
  const error = await withLeakCheck(async () => {
    const source = subscribe<number>(() => () => void (tornDown += 1));
    pending = source.next(); // a consumer waiting for a value that never comes: open and stuck
    await flush();
    throw failure;
  }).catch((e: unknown) => e);
  expect(error).toBe(failure);
  expect(tornDown).toBe(1);
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(openBridges()).toEqual([]);
});
