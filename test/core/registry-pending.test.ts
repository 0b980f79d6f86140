// The registry defers watching a bridge's handle to the end of the turn, and a bridge that finishes before then
// lets go of its handle at once (and leaves the registry's stack of unwatched bridges when it is the newest).
// Whatever the mix of open, finished and abandoned bridges, across more than one batch of deferred handles, every
// handle abandoned while open must still be watched, so that the GC backstop reports it, and no finished bridge
// may be.
import { expect, test, vi } from "vitest";
import { type Channel, channel, openBridges } from "../../src/core/index.js";
import { LeakError, assertNoLeaks } from "../../src/testing/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

test.runIf(gc !== undefined)(
  "open, finished and abandoned bridges interleaved in one turn: exactly the abandoned ones are reported by the GC backstop",
  async () => {
    const kept: Array<{ readonly ch: Channel<number>; readonly name: string }> = [];
    const abandoned = new Set<string>();
    (() => {
      for (let i = 0; i < 700; i += 1) {
        const name = `pending-${i}`;
        const ch = channel<number>({ name });
        if (i % 3 === 0) kept.push({ ch, name }); // open and reachable: watched, never reported
        else if (i % 3 === 1) void ch.return(); // finished within the turn, as the newest: it leaves the stack
        else abandoned.add(name); // open and unreachable: must be reported
        if (i % 10 === 5) void kept.splice(-2, 1)[0]?.ch.return(); // an older one finished within the turn: it stays linked, holding nothing
        // A burst of short bridges (each finished at once) between them.
        for (let j = 0; j < (i % 7) * 3; j += 1) void channel<number>({ name: "short" }).return();
      }
    })();
    // Each report is a process warning (the registry keeps only the first 100 for the leak check: its list is bounded).
    const warned: string[] = [];
    const warn = vi.spyOn(process, "emitWarning").mockImplementation((message) => void warned.push(String(message)));
    try {
      for (let i = 0; i < 20 && openBridges().some((b) => abandoned.has(b.name)); i += 1) {
        gc?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      warn.mockRestore();
    }
    // Collected and reported by the backstop (which also took them off the list), not merely still open; the kept
    // ones are still listed, in creation order.
    expect(openBridges().map((b) => b.name)).toEqual(kept.map((k) => k.name));
    await Promise.all(kept.map((k) => k.ch.return()));
    const reported = warned.map((message) => /^sluice: channel "([^"]+)" was garbage-collected while open/.exec(message)?.[1]);
    expect(new Set(reported)).toEqual(abandoned);
    expect(reported).toHaveLength(abandoned.size);
    // The leak check reports them too (the first 100 by name, the rest counted), and takes them.
    const error: unknown = await assertNoLeaks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeakError);
    expect((error as LeakError).message).toContain(`sluice: ${abandoned.size} bridges were left open.`);
  },
);
