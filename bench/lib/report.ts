// Shared benchmark plumbing: round-robin timing with medians, a markdown table and an SVG bar chart.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";

export const resultsDir = join(import.meta.dirname, "..", "results");

/** One line a benchmark reports about the machine it ran on. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const date = new Date().toISOString().slice(0, 10);
  const load = loadavg()[0]?.toFixed(1) ?? "?";
  return `Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}/${process.arch}, load average ${load} at the start, ${date}`;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median time of `calls` awaited runs (ms), after `warmup` untimed ones. */
export async function medianMs(run: () => Promise<unknown>, calls: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** Runs every case once per round, round-robin (so drift and noise hit all alike), after one warm-up round. */
export async function roundRobin(
  cases: ReadonlyArray<{ readonly key: string; readonly run: () => Promise<number> }>,
  rounds: number,
  onProgress?: (round: number) => void,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.key, []]));
  for (const c of cases) await c.run(); // warm-up
  for (let round = 0; round < rounds; round += 1) {
    onProgress?.(round);
    // No forced GC between cases: tried, and it doubled the floor's own time (V8 shrinks the young
    // generation after a full GC, and every case then pays to grow it again).
    for (const c of cases) samples.get(c.key)?.push(await c.run());
  }
  return samples;
}

/** Forces a full GC when the process was started with --expose-gc; a no-op otherwise. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

export interface BarGroup {
  readonly label: string;
  readonly bars: ReadonlyArray<{ readonly name: string; readonly value: number | undefined }>;
}

const palette = ["#1f6feb", "#d29922", "#8957e5", "#2da44e", "#cf222e", "#6e7781", "#bf3989", "#0a7e8c", "#953800"];

/**
 * A grouped horizontal bar chart as standalone SVG. `log` uses a log10 axis (for values spanning decades).
 * Missing values are drawn as "n/a".
 */
export function barChart(options: {
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly BarGroup[];
  readonly log?: boolean;
  readonly highlight?: string;
  /** A second, smaller line under the title (the machine, say). */
  readonly note?: string;
}): string {
  const { title, unit, groups, log = false, highlight, note } = options;
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v): v is number => v !== undefined && v > 0);
  const max = Math.max(...values);
  const min = Math.min(...values);
  const lo = log ? 10 ** Math.floor(Math.log10(min)) : 0;
  const hi = log ? 10 ** Math.ceil(Math.log10(max)) : max * 1.1;
  const labelWidth = 230;
  const plotWidth = 520;
  const barHeight = 16;
  const groupGap = 18;
  const top = note === undefined ? 56 : 72;
  const scale = (v: number): number =>
    log ? ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotWidth : (v / hi) * plotWidth;
  const parts: string[] = [];
  let y = top;
  for (const group of groups) {
    parts.push(`<text x="8" y="${y + 12}" font-weight="bold">${escape(group.label)}</text>`);
    y += barHeight + 4;
    for (const bar of group.bars) {
      const color = palette[names.indexOf(bar.name) % palette.length] ?? "#444";
      const bold = bar.name === highlight ? ' font-weight="bold"' : "";
      parts.push(`<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end"${bold}>${escape(bar.name)}</text>`);
      if (bar.value === undefined || !(bar.value > 0)) {
        parts.push(`<text x="${labelWidth + 4}" y="${y + 12}" fill="#888">n/a</text>`);
      } else {
        const w = Math.max(1, scale(bar.value));
        parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 3}" fill="${color}"/>`);
        parts.push(`<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 12}">${formatNumber(bar.value)}</text>`);
      }
      y += barHeight;
    }
    y += groupGap;
  }
  const ticks: string[] = [];
  const tickValues = log
    ? Array.from({ length: Math.round(Math.log10(hi / lo)) + 1 }, (_, i) => lo * 10 ** i)
    : Array.from({ length: 5 }, (_, i) => (hi / 4) * i);
  for (const t of tickValues) {
    const x = labelWidth + (t === 0 ? 0 : scale(t));
    ticks.push(`<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${y - groupGap}" stroke="#ddd"/>`);
    ticks.push(`<text x="${x.toFixed(1)}" y="${top - 10}" text-anchor="middle" fill="#666">${formatNumber(t)}</text>`);
  }
  const width = labelWidth + plotWidth + 90;
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...(note === undefined ? [] : [`<text x="8" y="36" fill="#666" font-size="11">${escape(note)}</text>`]),
    `<text x="8" y="${top - 24}" fill="#666">${escape(unit)}${log ? " (log scale)" : ""}</text>`,
    ...ticks,
    ...parts,
    "</svg>",
  ].join("\n");
}

export function writeResult(name: string, content: string): string {
  const path = join(resultsDir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

export function formatNumber(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
