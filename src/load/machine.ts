// The machine's side of load: pressure stall totals (PSI) from
// /proc/pressure, where the kernel has them.

import { readSmall } from '../proc/procfs.js';

/** Cumulative stall totals from /proc/pressure, microseconds. */
export interface Pressure {
  cpuSome: number;
  memorySome: number;
  memoryFull: number;
}

function totals(file: string): { some: number; full: number } | undefined {
  try {
    const text = readSmall(file);
    const total = (kind: string): number => Number(new RegExp(`^${kind} .*total=(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { some: total('some'), full: total('full') };
  } catch {
    return undefined;
  }
}

/** /proc/pressure/{cpu,memory} now; undefined without PSI. */
export function readPressure(): Pressure | undefined {
  const cpu = totals('/proc/pressure/cpu');
  const memory = totals('/proc/pressure/memory');
  if (!cpu || !memory) return undefined;
  return { cpuSome: cpu.some, memorySome: memory.some, memoryFull: memory.full };
}
