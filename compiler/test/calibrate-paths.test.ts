// The calibration's reading of nextpnr's critical path (compiler/calibrate/calibrate.mjs criticalPathOf): LUT levels,
// carry entries and steps, and whether the path is the serial wrapper's own (such a run does not time the network and
// is left out of the fmax fit and error table, fit.mjs timesNetwork). The report below has nextpnr 0.4's shape.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript modules without declarations
import { criticalPathOf } from '../calibrate/calibrate.mjs';
// @ts-expect-error: plain JavaScript modules without declarations
import { timesNetwork } from '../calibrate/fit.mjs';

const seg = (type: string, delay: number, from: [string, string], to: [string, string]) => ({ type, delay, from: { cell: from[0], port: from[1] }, to: { cell: to[0], port: to[1] } });

/** A register, a LUT, an adder (operand into the carry chain, two carry steps, the top bit's sum), the output register. */
const networkPath = {
  critical_paths: [
    {
      path: [
        seg('clk-to-q', 1.39, ['net.in_x_DFFLC', 'CLK'], ['net.in_x_DFFLC', 'O']),
        seg('routing', 1.76, ['net.in_x_DFFLC', 'O'], ['net.l_d_0_c7_p_40_SB_LUT4_O_5_LC', 'I3']),
        seg('logic', 0.87, ['net.l_d_0_c7_p_40_SB_LUT4_O_5_LC', 'I3'], ['net.l_d_0_c7_p_40_SB_LUT4_O_5_LC', 'O']),
        seg('routing', 2.3, ['net.l_d_0_c7_p_40_SB_LUT4_O_5_LC', 'O'], ['$nextpnr_ICESTORM_LC_2', 'I1']),
        seg('logic', 0.68, ['$nextpnr_ICESTORM_LC_2', 'I1'], ['$nextpnr_ICESTORM_LC_2', 'COUT']),
        seg('routing', 0, ['$nextpnr_ICESTORM_LC_2', 'COUT'], ['net.u_l_d_0_a_n_47.y_SB_CARRY_CO_7$CARRY', 'CIN']),
        seg('logic', 0.28, ['net.u_l_d_0_a_n_47.y_SB_CARRY_CO_7$CARRY', 'CIN'], ['net.u_l_d_0_a_n_47.y_SB_CARRY_CO_7$CARRY', 'COUT']),
        seg('routing', 0, ['net.u_l_d_0_a_n_47.y_SB_CARRY_CO_7$CARRY', 'COUT'], ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_LC', 'CIN']),
        seg('logic', 0.28, ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_LC', 'CIN'], ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_LC', 'COUT']),
        seg('routing', 0, ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_LC', 'COUT'], ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_1_LC', 'I3']),
        seg('logic', 0.61, ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_1_LC', 'I3'], ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_1_LC', 'O']),
        seg('routing', 1.76, ['net.u_l_d_0_a_n_47.y_SB_LUT4_O_1_LC', 'O'], ['net.l_d_0_y_55_DFFLC', 'I0']),
        seg('setup', 0.82, ['net.l_d_0_y_55_DFFLC', 'I0'], ['net.l_d_0_y_55_DFFLC', 'I0']),
      ],
    },
  ],
  fmax: { clk: { achieved: 90.5, constraint: 12 } },
};

/** The wrapper's output shift register: no cell of the network instance `net` on the path. */
const wrapperPath = {
  critical_paths: [
    {
      path: [
        seg('clk-to-q', 1.39, ['out_sr_SB_DFFE_Q_DFFLC', 'CLK'], ['out_sr_SB_DFFE_Q_DFFLC', 'O']),
        seg('routing', 2.1, ['out_sr_SB_DFFE_Q_DFFLC', 'O'], ['out_sr_SB_LUT4_I2_LC', 'I2']),
        seg('logic', 0.72, ['out_sr_SB_LUT4_I2_LC', 'I2'], ['out_sr_SB_LUT4_I2_LC', 'O']),
        seg('setup', 0.82, ['out_sr_SB_DFFE_Q_1_DFFLC', 'I0'], ['out_sr_SB_DFFE_Q_1_DFFLC', 'I0']),
      ],
    },
  ],
};

describe('the critical path of a nextpnr report', () => {
  it('counts LUT levels, carry entries and carry steps, and the levels per Verilog net', () => {
    const p = criticalPathOf(networkPath);
    expect(p.lutLevels).toBe(2);
    expect(p.carryEntries).toBe(1);
    expect(p.carrySteps).toBe(2);
    expect(p.routeNs).toBeCloseTo(1.76 + 2.3 + 1.76, 6);
    expect(p.delayNs).toBeCloseTo(networkPath.critical_paths[0].path.reduce((s, x) => s + x.delay, 0), 6);
    expect(p.byNet).toEqual({ l_d_0_c7_p_40: 1, 'u_l_d_0_a_n_47.y': 1 });
    expect(p.wrapperOnly).toBe(false);
  });
  it('marks a path that lies wholly in the serial wrapper, and such a run does not time the network', () => {
    const p = criticalPathOf(wrapperPath);
    expect(p.wrapperOnly).toBe(true);
    expect(timesNetwork({ device: 'up5k', fmaxMhz: 50, path: p })).toBe(false);
    expect(timesNetwork({ device: 'up5k', fmaxMhz: 90.5, path: criticalPathOf(networkPath) })).toBe(true);
    // Runs measured before the path was recorded, failed and timed-out runs.
    expect(timesNetwork({ device: 'up5k', fmaxMhz: 30 })).toBe(true);
    expect(timesNetwork({ error: 'timeout' })).toBe(false);
    expect(timesNetwork(undefined)).toBe(false);
  });
});
