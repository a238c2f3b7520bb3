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
  readonly maxClockMHz: number | null;
  readonly source: string;
  readonly note?: string;
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

/** The device table as the checker's part catalog. */
export const partCatalog: PartCatalog = {
  has: (name) => findDevice(name) !== undefined,
  names: () => DEVICES.map((d) => d.name),
};
