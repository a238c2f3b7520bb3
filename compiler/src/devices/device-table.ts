// The device table: resources of the target parts (data in devices.json, with the source of every figure).
import type { PartCatalog } from '@qnn/language';
import table from './devices.json' with { type: 'json' };

export interface Device {
  readonly name: string;
  readonly vendor: 'amd' | 'lattice';
  readonly family: string;
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  /** 18 Kb block RAMs (AMD) or 4 Kb EBRs (iCE40). */
  readonly bram18: number;
  readonly uram: number;
  /** Clock-buffer Fmax of the slowest speed grade (null where the data sheet gives none: iCE40). */
  readonly maxClockMHz: number | null;
  /** Key of DEVICE_SOURCES for the resource figures. */
  readonly source: string;
  /** Key of DEVICE_SOURCES for the clock limits. */
  readonly clockSource?: string;
  /** Per speed grade: clock buffer and fully pipelined DSP block Fmax in MHz. */
  readonly speedGrades?: readonly SpeedGrade[];
  readonly note?: string;
}

export interface SpeedGrade {
  readonly grade: string;
  readonly bufgMHz: number;
  readonly dspMHz: number;
}

export const DEVICES: readonly Device[] = table.parts as Device[];
export const DEVICE_SOURCES: Readonly<Record<string, string>> = table.sources;

/**
 * Finds a part by its base name or a full ordering code (`xcu250-figd2104-2L-e` is the xcu250), case-insensitively.
 */
export function findDevice(part: string): Device | undefined {
  const p = part.toLowerCase();
  return DEVICES.find((d) => p === d.name || p.startsWith(`${d.name}-`));
}

/** Up to three part names closest to `part` (edit distance), for "did you mean" messages. */
export function nearestParts(part: string): string[] {
  const p = part.toLowerCase();
  const scored = DEVICES.map((d) => ({ name: d.name, d: editDistance(p.slice(0, d.name.length + 2), d.name) }));
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  const best = scored[0]?.d ?? 0;
  return scored.filter((s) => s.d <= Math.max(best, 3)).slice(0, 3).map((s) => s.name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The device table as the checker's part catalog. */
export const partCatalog: PartCatalog = {
  has: (name) => findDevice(name) !== undefined,
  names: () => DEVICES.map((d) => d.name),
};
