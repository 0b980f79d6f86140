// Runs every call option side by side and returns ms per call; used by `npm run demo` and bench/grpc.ts.
import { type CallOption, callOptions } from "./options.js";
import type { ListStringsRequest } from "./service.js";

export interface CompareSettings {
  /** Messages per call. @default 10_000 */
  readonly count?: number;
  /** Bytes per message. @default 100 */
  readonly size?: number;
  /** Timed calls per option (after one warm-up call); the median is reported. @default 5 */
  readonly calls?: number;
  /** Which options, by name; @default all of them */
  readonly only?: (option: CallOption) => boolean;
  /** The options to compare. @default callOptions() */
  readonly options?: readonly CallOption[];
}

export interface OptionResult {
  readonly option: CallOption;
  /** Median milliseconds per call. */
  readonly ms: number;
}

export async function compareOptions(settings: CompareSettings = {}): Promise<OptionResult[]> {
  const { count = 10_000, size = 100, calls = 5, only = () => true, options = callOptions() } = settings;
  const request: ListStringsRequest = { count, size, prefix: "" };
  const opened = await Promise.all(options.filter(only).map(async (option) => ({ option, open: await option.open() })));
  const samples = new Map<CallOption, number[]>(opened.map(({ option }) => [option, []]));
  try {
    for (const { open } of opened) await open.listStrings(request); // warm-up
    for (let round = 0; round < calls; round += 1) {
      for (const { option, open } of opened) {
        const start = performance.now();
        const received = await open.listStrings(request);
        samples.get(option)?.push(performance.now() - start);
        if (received !== count) throw new Error(`${option.name}: expected ${count} messages, got ${received}`);
      }
    }
  } finally {
    await Promise.all(opened.map(({ open }) => open.close()));
  }
  return opened.map(({ option }) => {
    const xs = [...(samples.get(option) ?? [])].sort((a, b) => a - b);
    return { option, ms: xs[Math.floor(xs.length / 2)] ?? Number.NaN };
  });
}

/** A plain-text table: ms per call, speed-up over localhost TCP, what each option keeps and gives up. */
export function formatComparison(results: readonly OptionResult[], settings: { count: number; size: number }): string {
  const tcp = results[0]?.ms ?? Number.NaN;
  const lines = [
    `One ListStrings call, ${settings.count.toLocaleString("en")} messages of ${settings.size} B (median ms per call):`,
    "",
    `${"option".padEnd(31)} ${"ms/call".padStart(8)} ${"vs TCP".padStart(8)}  keeps / gives up`,
  ];
  for (const { option, ms } of results) {
    lines.push(`${option.name.padEnd(31)} ${ms.toFixed(2).padStart(8)} ${`${(tcp / ms).toFixed(1)}x`.padStart(8)}  keeps ${option.keeps}`);
    lines.push(`${"".padEnd(51)}  gives up ${option.givesUp}`);
  }
  return lines.join("\n");
}
