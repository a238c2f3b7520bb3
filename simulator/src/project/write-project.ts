// The project writer behind `qnn build`: a complete, self-describing FPGA project for one network — the HLS C++ and
// the Verilog with their testbenches, test vectors whose expected outputs come from the bit-accurate simulator, a
// Makefile (sim, verilator, csim, synth, pnr), Vivado/Vitis Tcl and a README. The folder is written next to its
// destination under a temporary name and renamed into place; a marker file (.qnn-project.json) identifies generated
// folders, and a folder without it is never overwritten.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { NetworkModel } from '@qnn/language';
import { generateHls, generateVerilog, HlsUnsupportedError, hlsIncludeDir, testbenchTop, VerilogBackendError, verilogTestbench, type HlsProject, type VerilogDesign } from '@qnn/compiler';
import { simulateSync, type SimulationInputs } from '../exec/simulate.js';
import type { RawTensor } from '../exec/result.js';
import { serialWrapper } from './serial-wrapper.js';

export const MARKER = '.qnn-project.json';
export const TOOL_VERSION = '0.1.0';

export type BackendChoice = 'verilog' | 'hls' | 'all';

/** A refusal the CLI prints as a diagnostic (QNN4011 backend refused, QNN4012 folder not generated). */
export class ProjectError extends Error {
  constructor(
    readonly code: 'QNN4011' | 'QNN4012',
    message: string,
  ) {
    super(message);
  }
}

export interface ProjectRequest {
  readonly net: NetworkModel;
  /** The .qnn file, as recorded in the marker and README. */
  readonly source: string;
  readonly out: string;
  readonly backend: BackendChoice;
  /** Input values (one row per vector) and where they came from. */
  readonly inputs: SimulationInputs;
  readonly rows: number;
  readonly vectorSource: string;
}

export interface ProjectResult {
  readonly dir: string;
  readonly backends: readonly ('verilog' | 'hls')[];
  /** Backend → the reason it refused the network (only with --backend all). */
  readonly refused: ReadonlyMap<'verilog' | 'hls', string>;
  readonly files: readonly string[];
  readonly replaced: boolean;
  /** The Verilog design written (ports, packing, expected latency and II), when the Verilog backend accepted the network. */
  readonly verilog?: VerilogDesign;
  /** The HLS top function, when the HLS backend accepted the network. */
  readonly hlsTop?: string;
}

type Family = 'ice40' | 'amd' | 'other';

function family(part: string | undefined): Family {
  if (part === undefined) return 'amd';
  if (/^ice40/i.test(part)) return 'ice40';
  if (/^xc/i.test(part)) return 'amd';
  return 'other';
}

/** nextpnr-ice40 device flag and a default package per iCE40 device. */
function ice40Device(part: string): { flag: string; pkg: string } {
  const m = /^ice40(up5k|up3k|hx8k|hx4k|hx1k|lp8k|lp4k|lp1k|lp384|u4k)/i.exec(part);
  const dev = (m?.[1] ?? 'up5k').toLowerCase();
  const pkg: Record<string, string> = { up5k: 'sg48', up3k: 'sg48', u4k: 'sg48', hx8k: 'ct256', hx4k: 'tq144', hx1k: 'tq144', lp8k: 'cm81', lp4k: 'cm81', lp1k: 'cm36', lp384: 'qn32' };
  return { flag: `--${dev}`, pkg: pkg[dev] ?? 'sg48' };
}

/** True when `dir` is a folder that qnn build wrote. */
export function isGeneratedProject(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { tool?: unknown };
    return m.tool === 'qnn-studio';
  } catch {
    return false;
  }
}

/** Refuses an existing --out that is not a generated project. */
export function checkOutFolder(out: string): void {
  const dir = resolve(out);
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory() || !isGeneratedProject(dir)) {
    throw new ProjectError('QNN4012', `'${out}' exists and is not a generated project (no ${MARKER}); choose another --out or remove it yourself.`);
  }
}

function rawLines(t: RawTensor): string {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const data = t.data as ArrayLike<number | bigint>;
  const lines: string[] = [];
  for (let r = 0; r < t.rows; r++) {
    const row: string[] = [];
    for (let i = 0; i < n; i++) row.push(String(data[r * n + i]));
    lines.push(row.join(' '));
  }
  return lines.join('\n') + '\n';
}

function rawsOf(t: RawTensor, row: number): bigint[] {
  const n = t.data.length / t.rows;
  return Array.from({ length: n }, (_, i) => BigInt(t.data[row * n + i] as number | bigint));
}

/** Writes the project (atomically) and returns what was written. Throws ProjectError for refusals. */
export function writeProject(req: ProjectRequest): ProjectResult {
  const { net } = req;
  const dir = resolve(req.out);
  checkOutFolder(req.out);

  // Generate first: nothing is written when the requested backends refuse the network.
  const refused = new Map<'verilog' | 'hls', string>();
  let hls: HlsProject | undefined;
  let rtl: VerilogDesign | undefined;
  if (req.backend !== 'verilog') {
    try {
      hls = generateHls(net);
    } catch (e) {
      if (!(e instanceof HlsUnsupportedError)) throw e;
      refused.set('hls', e.message);
    }
  }
  if (req.backend !== 'hls') {
    try {
      rtl = generateVerilog(net);
    } catch (e) {
      if (!(e instanceof VerilogBackendError)) throw e;
      refused.set('verilog', e.message);
    }
  }
  if (!hls && !rtl) {
    const why = [...refused].map(([b, m]) => `${b === 'hls' ? 'HLS' : 'Verilog'} backend: ${m}`).join('; ');
    throw new ProjectError('QNN4011', why);
  }

  const result = simulateSync(net, req.inputs, { keepLayers: true });
  const files = new Map<string, string>();
  if (hls) {
    for (const [p, text] of hls.files) files.set(`hls/${p}`, text);
    for (const [name, file] of hls.vectors.inputs) files.set(`hls/${file}`, rawLines(result.inputs.get(name)!.tensor!));
    for (const [name, file] of hls.vectors.outputs) files.set(`hls/${file}`, rawLines(result.outputs.get(name)!));
    // Our ap_fixed.h / ap_int.h (generateHls lists them; copied here too in case a version does not).
    for (const h of ['ap_fixed.h', 'ap_int.h']) if (!files.has(`hls/include/${h}`)) files.set(`hls/include/${h}`, readFileSync(join(hlsIncludeDir(), h), 'utf8'));
  }
  if (rtl) {
    const ins: bigint[][] = [];
    const exp: bigint[][] = [];
    for (let r = 0; r < req.rows; r++) {
      ins.push(net.inputs.flatMap((i) => rawsOf(result.inputs.get(i.name)!.tensor!, r)));
      exp.push(net.outputs.flatMap((o) => rawsOf(result.outputs.get(o)!, r)));
    }
    for (const [p, text] of rtl.files) files.set(`rtl/${p}`, text);
    const tb = verilogTestbench(rtl, { inputs: ins, expected: exp });
    for (const [p, text] of tb.files) files.set(`rtl/${p}`, text);
    const top = testbenchTop([tb.module]);
    files.set(`rtl/${top.file}`, top.text);
    files.set('rtl/vivado.tcl', vivadoTcl(net, rtl));
    files.set(`rtl/${rtl.top}.xdc`, xdc(net));
    if (family(net.target?.part) === 'ice40') {
      const w = serialWrapper(rtl);
      files.set(`rtl/${w.file}`, w.text);
    }
  }
  const backends = [...(rtl ? ['verilog' as const] : []), ...(hls ? ['hls' as const] : [])];
  files.set('Makefile', makefile(net, hls, rtl));
  files.set('README.md', readme(req, hls, rtl, refused));
  const marker = { tool: 'qnn-studio', version: TOOL_VERSION, source: resolve(req.source), network: net.name, date: new Date().toISOString(), backends, refused: Object.fromEntries(refused), vectors: { count: req.rows, source: req.vectorSource } };
  files.set(MARKER, JSON.stringify(marker, undefined, 2) + '\n');

  // Atomic: a temporary folder next to the destination, renamed into place.
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(dir)}.qnn-tmp-${stamp}`);
  try {
    for (const [p, text] of files) {
      mkdirSync(dirname(join(tmp, p)), { recursive: true });
      writeFileSync(join(tmp, p), text);
    }
    let replaced = false;
    if (existsSync(dir)) {
      checkOutFolder(req.out); // again: it may have changed meanwhile
      const old = join(parent, `.${basename(dir)}.qnn-old-${stamp}`);
      renameSync(dir, old);
      try {
        renameSync(tmp, dir);
      } catch (e) {
        renameSync(old, dir);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
      replaced = true;
    } else {
      renameSync(tmp, dir);
    }
    return { dir, backends, refused, files: [...files.keys()].sort(), replaced, ...(rtl ? { verilog: rtl } : {}), ...(hls ? { hlsTop: hls.top } : {}) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function clockNs(net: NetworkModel): number {
  return net.target?.clockNs ?? 5;
}

function xdc(net: NetworkModel): string {
  const ns = clockNs(net);
  return [
    `# Clock constraint of network ${net.name} (generated by QNN Studio): ${ns} ns${net.target?.clockNs === undefined ? ' (the network gives no clock: 5 ns assumed)' : ''}.`,
    `create_clock -period ${+ns.toFixed(6)} -name aclk [get_ports aclk]`,
    '',
  ].join('\n');
}

function vivadoTcl(net: NetworkModel, rtl: VerilogDesign): string {
  const part = net.target?.part;
  const notes: string[] = [];
  if (part === undefined) notes.push('# The network has no target: xcu250-figd2104-2L-e is assumed; edit PART.');
  else if (family(part) !== 'amd') notes.push(`# Target ${part} is not an AMD part: Vivado will reject it; use 'make synth' and 'make pnr' instead.`);
  // Vivado needs a full part number; the device table names devices (the same defaults as the HLS build.tcl).
  const fullParts: Record<string, string> = { xcu250: 'xcu250-figd2104-2L-e', xcvu9p: 'xcvu9p-flga2104-2L-e', xcvu13p: 'xcvu13p-flga2577-2-e' };
  const full = part === undefined ? 'xcu250-figd2104-2L-e' : (fullParts[part.toLowerCase()] ?? part);
  if (part !== undefined && full !== part) notes.push(`# Target ${part}: the default package and speed grade ${full} is assumed; edit PART for your board.`);
  return [
    `# Vivado project for the Verilog of network ${net.name} (generated by QNN Studio).`,
    `# Run from rtl/:  vivado -mode batch -source vivado.tcl   (out-of-context synthesis, place and route, reports)`,
    ...notes,
    `set PART {${full}}`,
    `create_project -force ${rtl.top}_prj ./vivado_prj -part $PART`,
    `add_files {${[...rtl.files.keys()].join(' ')}}`,
    `add_files -fileset constrs_1 ${rtl.top}.xdc`,
    `set_property top ${rtl.top} [current_fileset]`,
    `synth_design -top ${rtl.top} -part $PART -mode out_of_context`,
    `opt_design`,
    `place_design`,
    `route_design`,
    `report_utilization -file utilization.rpt`,
    `report_timing_summary -file timing.rpt`,
    `exit`,
    '',
  ].join('\n');
}

function makefile(net: NetworkModel, hls: HlsProject | undefined, rtl: VerilogDesign | undefined): string {
  const part = net.target?.part;
  const fam = family(part);
  const L: string[] = [
    `# Makefile of network ${net.name} (generated by QNN Studio). Targets: see README.md.`,
    `.PHONY: all sim verilator csim synth pnr clean`,
    `all: ${[rtl ? 'sim' : '', hls ? 'csim' : ''].filter(Boolean).join(' ')}`,
    '',
  ];
  const none = (target: string, why: string) => [`${target}:`, `\t@echo "${why}" >&2; exit 1`, ''];
  if (rtl) {
    const srcs = [...rtl.files.keys(), `tb_${rtl.top}.v`, 'tb_top.v'].join(' ');
    const check = (log: string) => `grep -q "RESULT .* mismatches=0 " ${log} && ! grep -q "TIMEOUT" ${log}`;
    L.push(
      `RTL_SOURCES = ${srcs}`,
      `BUILD = build`,
      '',
      `# iverilog: the self-checking testbench (prints RESULT ... mismatches=0 latency=... ii=...).`,
      `sim:`,
      `\t@mkdir -p $(BUILD)`,
      `\tcd rtl && iverilog -g2005 -Wall -o ../$(BUILD)/sim.vvp -s tb_top $(RTL_SOURCES)`,
      `\tcd rtl && vvp -n ../$(BUILD)/sim.vvp | tee ../$(BUILD)/sim.log`,
      `\t@${check('$(BUILD)/sim.log')} || (echo "sim: mismatches (see $(BUILD)/sim.log)" >&2; exit 1)`,
      '',
      `# Verilator 5: the same testbench, compiled.`,
      `verilator:`,
      `\t@mkdir -p $(BUILD)`,
      `\tcd rtl && verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style --top-module tb_top -Mdir ../$(BUILD)/obj_dir -j 2 -MAKEFLAGS "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0" $(RTL_SOURCES)`,
      `\tcd rtl && ../$(BUILD)/obj_dir/Vtb_top | tee ../$(BUILD)/verilator.log`,
      `\t@${check('$(BUILD)/verilator.log')} || (echo "verilator: mismatches (see $(BUILD)/verilator.log)" >&2; exit 1)`,
      '',
    );
    if (fam === 'ice40') {
      const d = ice40Device(part!);
      const mhz = +(1000 / clockNs(net)).toFixed(3);
      L.push(
        `# yosys synth_ice40 (no -dsp: it builds wrong netlists in yosys 0.23); resources in $(BUILD)/resources.json.`,
        `synth:`,
        `\t@mkdir -p $(BUILD)`,
        `\tcd rtl && yosys -q -p "read_verilog ${[...rtl.files.keys()].join(' ')}; synth_ice40 -top ${rtl.top} -json ../$(BUILD)/${rtl.top}.json; tee -q -o ../$(BUILD)/resources.json stat -json"`,
        `\t@echo "resources: $(BUILD)/resources.json"`,
        '',
        `# nextpnr-ice40 (${d.flag} ${d.pkg}, ${mhz} MHz) and icepack: bitstream and timing report ($(BUILD)/fmax.json).`,
        `# The AXI-Stream ports are as wide as the packed tensors (${rtl.inputWidth} + ${rtl.outputWidth} bits), more than the package has pins:`,
        `# pnr places ${rtl.top}_serial (rtl/${rtl.top}_serial.v), which shifts the words in and out one bit per clock (8 pins).`,
        `# --timing-allow-fail: the report gives the achieved fmax even when the target clock is not met.`,
        `PNR_SYNTH = synth_ice40 -top ${rtl.top}_serial -json ../$(BUILD)/${rtl.top}_serial.json`,
        `pnr:`,
        `\t@mkdir -p $(BUILD)`,
        `\tcd rtl && yosys -q -p "read_verilog ${[...rtl.files.keys()].join(' ')} ${rtl.top}_serial.v; $(PNR_SYNTH); tee -q -o ../$(BUILD)/pnr-resources.json stat -json"`,
        `\tnextpnr-ice40 ${d.flag} --package ${d.pkg} -q --json $(BUILD)/${rtl.top}_serial.json --asc $(BUILD)/${rtl.top}.asc --freq ${mhz} --seed 1 --timing-allow-fail --pcf-allow-unconstrained --report $(BUILD)/fmax.json --log $(BUILD)/nextpnr.log`,
        `\ticepack $(BUILD)/${rtl.top}.asc $(BUILD)/${rtl.top}.bin`,
        `\t@echo "bitstream: $(BUILD)/${rtl.top}.bin; timing and utilization: $(BUILD)/fmax.json; log: $(BUILD)/nextpnr.log"`,
        '',
      );
    } else {
      L.push(
        `# yosys synth_xilinx -family xc7 (an estimate for AMD parts); resources in $(BUILD)/resources.json.`,
        `# make synth FAST=1: yosys's generic coarse-grain synthesis only (elaborate, optimize, infer arithmetic; no LUT`,
        `# mapping): it checks that yosys builds the design in seconds where synth_xilinx takes minutes for large networks,`,
        `# and counts coarse cells ($macc, $alu, flip-flops) rather than LUTs, FFs and DSPs.`,
        `SYNTH = synth_xilinx -family xc7 -top ${rtl.top}`,
        `ifeq ($(FAST),1)`,
        `SYNTH = synth -top ${rtl.top} -run begin:fine`,
        `endif`,
        `synth:`,
        `\t@mkdir -p $(BUILD)`,
        `\tcd rtl && yosys -q -p "read_verilog ${[...rtl.files.keys()].join(' ')}; $(SYNTH); tee -q -o ../$(BUILD)/resources.json stat -json"`,
        `\t@echo "resources: $(BUILD)/resources.json"`,
        '',
        ...none('pnr', `pnr: place and route of ${part ?? 'AMD'} parts needs Vivado (vivado -mode batch -source rtl/vivado.tcl); the open-source flow (nextpnr) covers iCE40 parts only.`),
      );
    }
  } else {
    const why = 'no Verilog in this project (the Verilog backend refused the network; see README.md)';
    L.push(...none('sim', `sim: ${why}`), ...none('verilator', `verilator: ${why}`), ...none('synth', `synth: ${why}`), ...none('pnr', `pnr: ${why}`));
  }
  if (hls) {
    L.push(
      `# C simulation with g++ and QNN Studio's ap_fixed.h (hls/include); exits 1 on any mismatch.`,
      `csim:`,
      `\t@mkdir -p build`,
      `\tcd hls && g++ -std=c++14 -O1 -Iinclude -o ../build/csim ${hls.top}.cpp tb.cpp`,
      `\tcd hls && ../build/csim .`,
      '',
    );
  } else {
    L.push(...none('csim', 'csim: no HLS C++ in this project (the HLS backend refused the network; see README.md)'));
  }
  L.push(`clean:`, `\trm -rf build rtl/vivado_prj hls/${hls?.top ?? net.name}_prj`, '');
  return L.join('\n');
}

function readme(req: ProjectRequest, hls: HlsProject | undefined, rtl: VerilogDesign | undefined, refused: ReadonlyMap<'verilog' | 'hls', string>): string {
  const { net } = req;
  const part = net.target?.part;
  const fam = family(part);
  const L: string[] = [
    `# ${net.name}: FPGA project generated by QNN Studio`,
    '',
    `Network \`${net.name}\` of \`${req.source}\`, target ${part ?? '(none: xcu250 assumed)'} at ${clockNs(net)} ns, io ${net.io}. ` +
      `Generated by \`qnn build\` (QNN Studio ${TOOL_VERSION}). Do not edit: run \`qnn build\` again, which replaces this folder ` +
      `(it is identified by \`${MARKER}\`).`,
    '',
    `Test vectors: ${req.rows} vectors (${req.vectorSource}); the expected outputs are the raws computed by QNN Studio's ` +
      `bit-accurate simulator, so every flow below checks the hardware bit for bit.`,
    '',
  ];
  if (refused.size) {
    L.push('## Not generated', '');
    for (const [b, m] of refused) L.push(`- ${b === 'hls' ? 'HLS C++' : 'Verilog'}: the backend refused the network: ${m}`);
    L.push('');
  }
  L.push('## Layout', '', '```text');
  L.push(`${MARKER}   marker: tool version, source file, network, date, backends`, 'Makefile             the flows below', 'README.md');
  if (rtl) {
    L.push(
      'rtl/',
      ...[
        ...[...rtl.files.keys()].map((f): [string, string] => [f, 'the network (Verilog-2005, io parallel, AXI-Stream ports)']),
        [`tb_${rtl.top}.v`, 'self-checking testbench'],
        ['tb_top.v', 'testbench top (clock, $finish)'],
        [`${rtl.top}_in.hex`, 'input vectors, one packed tdata word per line'],
        [`${rtl.top}_exp.hex`, 'expected output words'],
        [`${rtl.top}.xdc`, 'clock constraint for Vivado'],
        ...(fam === 'ice40' ? [[`${rtl.top}_serial.v`, 'pin-light wrapper placed by make pnr'] as [string, string]] : []),
        ['vivado.tcl', 'Vivado project (synthesis, place and route, reports)'],
      ].map(([f, what]) => `  ${f.padEnd(Math.max(20, rtl.top.length + 9))} ${what}`),
    );
  }
  if (hls) {
    L.push(
      'hls/',
      `  ${hls.top}.cpp, ${hls.top}.h, defines.h, weights/   the Vitis HLS C++`,
      `  tb.cpp               C testbench (reads tb_data/, counts mismatches)`,
      `  tb_data/             input raws and expected output raws, one vector per line`,
      `  build.tcl            Vitis HLS: csim, csynth, cosim, export`,
      `  include/             QNN Studio's ap_fixed.h and ap_int.h (for g++ without vendor tools)`,
    );
  }
  L.push('build/               created by make', '```', '', '## Flows', '');
  if (rtl) {
    L.push(
      `- \`make sim\`: iverilog runs the testbench; it prints \`RESULT … mismatches=0 latency=${rtl.latency} ii=${rtl.ii}\` (expected latency ${rtl.latency} cycles, II ${rtl.ii}). Package: iverilog.`,
      `- \`make verilator\`: the same testbench compiled by Verilator 5. Package: verilator.`,
      fam === 'ice40'
        ? `- \`make synth\`: yosys \`synth_ice40\` (without \`-dsp\`: it builds wrong netlists in yosys 0.23); cell counts in \`build/resources.json\`. Package: yosys.`
        : `- \`make synth\`: yosys \`synth_xilinx -family xc7\`; cell counts (LUT, FF, DSP) in \`build/resources.json\`. It takes minutes for large networks: \`make synth FAST=1\` runs only yosys's generic coarse-grain synthesis (seconds; arithmetic cells rather than LUTs). Package: yosys.`,
      fam === 'ice40'
        ? `- \`make pnr\`: nextpnr-ice40 and icepack: bitstream \`build/${rtl.top}.bin\` and timing report \`build/fmax.json\` (achieved fmax per clock, utilization). The AXI-Stream ports (${rtl.inputWidth} + ${rtl.outputWidth} bits) exceed the package's pins, so pnr places \`${rtl.top}_serial\` (\`rtl/${rtl.top}_serial.v\`): 8 pins — \`clk\`, \`rstn\`; \`sin\`/\`sin_en\` shift the input word in, LSB first; a \`start\` pulse offers it to the network; \`ovalid\` rises when the output word is captured and \`sout\`/\`sout_en\` shift it out, LSB first. Packages: nextpnr-ice40, fpga-icestorm.`
        : `- \`make pnr\`: not available for ${part ?? 'AMD parts'} in the open-source flow (it prints how to use Vivado).`,
      `- Vivado: \`cd rtl && vivado -mode batch -source vivado.tcl\`: out-of-context synthesis, place and route, utilization and timing reports, clock from \`${rtl.top}.xdc\`${fam === 'amd' ? '' : ` (for AMD parts only: ${part} is not one, so Vivado rejects it)`}.`,
    );
  }
  if (hls) {
    L.push(
      `- \`make csim\`: g++ compiles the HLS C++ with QNN Studio's \`ap_fixed.h\` and runs the C testbench; it prints \`samples: ${req.rows} mismatches: 0\`. The same sources compile unchanged against the vendor's headers. Package: g++.`,
      `- Vitis HLS: \`cd hls && vitis_hls -f build.tcl\` (C simulation, synthesis, C/RTL co-simulation, IP export; part and clock from the target).`,
    );
  }
  L.push('');
  return L.join('\n');
}
