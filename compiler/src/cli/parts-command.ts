// `qnn parts [--json]`: the device table.
import { DEVICES } from '../devices/device-table.js';

export function runParts(opts: { readonly json?: boolean }): number {
  if (opts.json) {
    process.stdout.write(JSON.stringify({ parts: DEVICES }, undefined, 2) + '\n');
    return 0;
  }
  const rows = [['part', 'vendor', 'LUT', 'FF', 'DSP', 'BRAM18', 'URAM'], ...DEVICES.map((d) => [d.name, d.vendor, d.lut, d.ff, d.dsp, d.bram18, d.uram].map(String))];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n');
  return 0;
}
