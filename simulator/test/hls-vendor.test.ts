// Opt-in: the generated HLS C++ compiled unchanged with g++ against the vendor's open-source arbitrary-precision
// headers (github.com/Xilinx/HLS_arbitrary_Precision_Types, folder include/: ap_fixed.h, ap_int.h, hls_stream.h and
// the files they include) must compute exactly the simulator's bits, as a Vitis HLS user's C simulation does. The
// headers are not installable from a package registry, so this runs only with QNN_VENDOR_AP=/path/to/include:
//
//   QNN_VENDOR_AP=$HOME/HLS_arbitrary_Precision_Types/include npm run test:vendor
//
// `npm test` leaves this file out when the variable is unset (vitest.config.ts), so nothing is skipped silently: run
// directly without the variable, it fails with the instructions above; with a folder without the headers, it fails. The vendor's headers compile slowly (tens of seconds per network on two cores).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { rng } from './helpers.js';
import { checked, cosim, Gen, pool, qnnFiles, randomNetwork, randomStreamCnn, randomWindowNetwork, requireGpp, samples } from './hls-harness.js';

const vendor = process.env.QNN_VENDOR_AP;

function requireVendor(): string {
  if (!vendor) {
    throw new Error('QNN_VENDOR_AP is not set: clone github.com/Xilinx/HLS_arbitrary_Precision_Types and run QNN_VENDOR_AP=<clone>/include npm run test:vendor');
  }
  const dir = vendor;
  for (const h of ['ap_fixed.h', 'ap_int.h', 'hls_stream.h']) {
    if (!existsSync(join(dir, h))) throw new Error(`QNN_VENDOR_AP=${dir} has no ${h}: point it at the include/ folder of a clone of Xilinx/HLS_arbitrary_Precision_Types`);
  }
  return dir;
}

describe('HLS C++ (g++ with the vendor headers of QNN_VENDOR_AP) = simulator, bit for bit', () => {
  it('every sample network (io parallel and io stream)', async () => {
    requireGpp();
    const include = requireVendor();
    const program = checkProgram(qnnFiles(samples).sort(), { fs: nodeFileSystem, parts: partCatalog });
    const nets = [...program.files.values()].flatMap((f) => [...f.networks.values()]).filter((n) => n.complete);
    expect(nets.length).toBeGreaterThanOrEqual(7);
    const failures = await pool(
      nets.map((net, i) => async () => {
        const r = await cosim(net, `sample-${net.name}`, 700 + i, { include, folder: 'vendor' });
        return r.ok ? undefined : `${net.name} (${r.dir}):\n${r.report}`;
      }),
      2,
    );
    expect(failures.filter((f) => f !== undefined)).toEqual([]);
  }, 1_800_000);

  it('20 seeded random networks (dense and window layers in both io styles, stream CNNs)', async () => {
    requireGpp();
    const include = requireVendor();
    const g = new Gen(rng(6060));
    const sources = [
      ...Array.from({ length: 6 }, (_, k) => randomNetwork(g, k, 'parallel')),
      ...Array.from({ length: 3 }, (_, k) => randomWindowNetwork(g, 10 + k, 'parallel')),
      ...Array.from({ length: 4 }, (_, k) => randomNetwork(g, 20 + k, 'stream')),
      ...Array.from({ length: 3 }, (_, k) => randomWindowNetwork(g, 30 + k, 'stream')),
      ...Array.from({ length: 4 }, (_, k) => randomStreamCnn(g, 40 + k)),
    ];
    const failures = await pool(
      sources.map((src, k) => async () => {
        const r = await cosim(checked(src), `random-${k}`, 9000 + k, { include, folder: 'vendor' });
        return r.ok ? undefined : `random network ${k} (${r.dir}):\n${r.report}\n${src}`;
      }),
      2,
    );
    expect(failures.filter((f) => f !== undefined)).toEqual([]);
  }, 1_800_000);
});
