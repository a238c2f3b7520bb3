// The self-checking testbench of a generated network: input vectors and expected outputs (raws computed by the
// simulator) are read from hex files with $readmemh, driven into the AXI-Stream input with blocking assignments on
// the negative clock edge (iverilog and Verilator then agree), and every output vector is compared at the positive
// edge. It prints one line per network:
//   RESULT <name> vectors=<n> mismatches=<m> latency=<cycles> ii=<cycles>
// (and MISMATCH lines for the first three differences, TIMEOUT if outputs stop coming). <name> is the checker's module
// name: tb_<top>, or tb_<top>_bp for the variant with input gaps and output back-pressure. A top module drives the clock,
// instantiates one checker per network and calls $finish when every checker is done, so that several networks can
// share one simulator build.
import type { PackedTensor, VerilogDesign } from './generate.js';
import {
  bin,
  bit,
  concat,
  hexBits,
  index,
  int,
  lit,
  printModule,
  ref,
  set,
  slice,
  str,
  task,
  unary,
  when,
  type Decl,
  type Expr,
  type Item,
  type Stmt,
} from './vast.js';

export interface TestVectors {
  /** Per vector: the raws of every input element, inputs in declaration order, each row-major. */
  readonly inputs: readonly (readonly bigint[])[];
  /** Per vector: the expected raws of every output element, outputs in order, each row-major. */
  readonly expected: readonly (readonly bigint[])[];
}

export interface Testbench {
  /** The checker module (ports: clk in, done out). */
  readonly module: string;
  /** File name → contents: the checker's Verilog and its two hex files. */
  readonly files: ReadonlyMap<string, string>;
}

/** Packs the raws of one vector into the AXI-Stream word (element 0 of the first tensor in the low bits), as hex. */
export function packHex(tensors: readonly PackedTensor[], raws: readonly bigint[], width: number): string {
  const beats = packBeats(tensors, raws, width);
  if (beats.length !== 1) throw new Error(`a vector of ${beats.length} beats does not fit one word`);
  return beats[0];
}

/**
 * Packs the raws of one sample (every tensor row-major, in order) into its beats: beat b holds pixel b of every
 * tensor, element 0 of the first tensor in the low bits. One hex word per beat.
 */
export function packBeats(tensors: readonly PackedTensor[], raws: readonly bigint[], width: number): string[] {
  const beats = tensors.length ? tensors[0].beats : 1;
  const words = new Array<bigint>(beats).fill(0n);
  let k = 0;
  for (const t of tensors) {
    const mask = (1n << BigInt(t.type.width)) - 1n;
    for (let b = 0; b < t.beats; b++) for (let i = 0; i < t.count; i++) words[b] |= (raws[k++] & mask) << BigInt(t.offset + i * t.type.width);
  }
  if (k !== raws.length) throw new Error(`a vector has ${raws.length} values; the ports hold ${k}`);
  return words.map((w) => hexBits(w, Math.max(1, width)));
}

const reg = (name: string, width = 1, depth?: number): Item => ({ kind: 'decl', decl: { name, net: 'reg', width, signed: false, ...(depth !== undefined ? { depth } : {}) } });
const wire = (name: string, width = 1): Item => ({ kind: 'decl', decl: { name, net: 'wire', width, signed: false } });
const integer = (name: string): Item => ({ kind: 'decl', decl: { name, net: 'integer', width: 32, signed: true } as Decl });
const inc = (name: string): Stmt => set(ref(name), bin('+', ref(name), int(1)));

/** The checker of one design on the given vectors. */
export interface TestbenchOptions {
  /**
   * Random gaps in the input and back-pressure on the output (a 32-bit LFSR: the output is ready about 3 cycles in 4,
   * an input is offered about 3 cycles in 4): checks the stall logic. The printed II is then not the design's.
   */
  readonly backpressure?: boolean;
  /** Checker module name (default `tb_<top>`, `tb_<top>_bp` with back-pressure). */
  readonly name?: string;
}

export function verilogTestbench(design: VerilogDesign, vectors: TestVectors, opts: TestbenchOptions = {}): Testbench {
  const n = vectors.inputs.length;
  if (n === 0 || vectors.expected.length !== n) throw new Error('a testbench needs at least one vector and one expected output per vector');
  const bp = opts.backpressure ?? false;
  const name = opts.name ?? `tb_${design.top}${bp ? '_bp' : ''}`;
  const inFile = `${design.top}_in.hex`;
  const expFile = `${design.top}_exp.hex`;
  const iw = Math.max(1, design.inputWidth);
  const ow = Math.max(1, design.outputWidth);
  const inHex = vectors.inputs.flatMap((v) => packBeats(design.inputs, v, iw)).join('\n') + '\n';
  const expHex = vectors.expected.flatMap((v) => packBeats(design.outputs, v, ow)).join('\n') + '\n';
  // Beats: one per vector in io parallel; in io stream a sample is several beats, and tlast marks each sample's last.
  const stream = design.io === 'stream';
  const ib = design.inputBeats;
  const ob = design.outputBeats;
  const nIn = n * ib;
  const nOut = n * ob;
  const counters = ['cycle', 'in_i', 'out_i', 'mismatches', 'first_in', 'first_out', 'last_out', 'max_gap', 'took'];
  const lfsrNext = concat([slice('lfsr', 30, 0), bin('^', bin('^', bit('lfsr', 31), bit('lfsr', 21)), bin('^', bit('lfsr', 1), bit('lfsr', 0)))]);
  const go: Expr = bp ? bin('|', bit('lfsr', 11), bit('lfsr', 13)) : lit(1, 1n);
  const NI = lit(32, BigInt(nIn));
  const NO = lit(32, BigInt(nOut));
  const inLast: Expr = stream ? bin('==', bin('%', ref('in_i'), int(ib)), int(ib - 1)) : bin('==', ref('in_i'), lit(32, BigInt(n - 1)));
  const outLast: Expr = stream ? bin('==', bin('%', ref('out_i'), int(ob)), int(ob - 1)) : bin('==', ref('out_i'), lit(32, BigInt(n - 1)));
  const sampleDone: Expr = stream ? outLast : lit(1, 1n);
  const items: Item[] = [
    reg('in_mem', iw, nIn),
    reg('exp_mem', ow, nOut),
    reg('aresetn'),
    reg('s_tdata', iw),
    reg('s_tvalid'),
    reg('s_tlast'),
    reg('m_tready'),
    reg('lfsr', 32),
    wire('s_tready'),
    wire('m_tdata', ow),
    wire('m_tvalid'),
    wire('m_tlast'),
    ...counters.map(integer),
    {
      kind: 'instance',
      module: design.top,
      name: 'dut',
      connections: [
        { port: 'aclk', value: ref('clk') },
        { port: 'aresetn', value: ref('aresetn') },
        { port: 's_axis_tdata', value: ref('s_tdata') },
        { port: 's_axis_tvalid', value: ref('s_tvalid') },
        { port: 's_axis_tready', value: ref('s_tready') },
        { port: 's_axis_tlast', value: ref('s_tlast') },
        { port: 'm_axis_tdata', value: ref('m_tdata') },
        { port: 'm_axis_tvalid', value: ref('m_tvalid') },
        { port: 'm_axis_tready', value: ref('m_tready') },
        { port: 'm_axis_tlast', value: ref('m_tlast') },
      ],
    },
    {
      kind: 'initial',
      body: [
        task('$readmemh', str(inFile), ref('in_mem')),
        task('$readmemh', str(expFile), ref('exp_mem')),
        ...counters.map((c) => set(ref(c), int(0))),
        set(ref('done'), lit(1, 0n)),
        set(ref('aresetn'), lit(1, 0n)),
        set(ref('s_tdata'), lit(iw, 0n)),
        set(ref('s_tvalid'), lit(1, 0n)),
        set(ref('s_tlast'), lit(1, 0n)),
        set(ref('m_tready'), lit(1, 1n)),
        set(ref('lfsr'), lit(32, 0x9e3779b9n)),
      ],
    },
    {
      kind: 'comment',
      text:
        'Stimulus: blocking assignments on the inactive (negative) edge; reset for the first 3 cycles and after the\n' +
        'last output. An offered vector' +
        `stays offered until accepted (AXI-Stream)${bp ? '; the LFSR makes gaps in the input and back-pressure on the output' : ''}.`,
    },
    {
      kind: 'always',
      edge: 'negedge',
      clock: 'clk',
      body: [
        // Reset again once done: the idle design then stops switching (several designs may share one simulation).
        set(ref('aresetn'), bin('&&', bin('>=', ref('cycle'), int(3)), unary('!', ref('done')))),
        ...(bp ? [set(ref('lfsr'), lfsrNext), set(ref('m_tready'), bin('|', bit('lfsr', 3), bit('lfsr', 7)))] : []),
        when(bin('!=', ref('took'), int(0)), [set(ref('s_tvalid'), lit(1, 0n)), set(ref('s_tlast'), lit(1, 0n)), set(ref('took'), int(0))]),
        when(bin('&&', bin('&&', unary('!', ref('s_tvalid')), ref('aresetn')), bin('&&', bin('<', ref('in_i'), NI), go)), [
          set(ref('s_tdata'), index('in_mem', ref('in_i'))),
          set(ref('s_tvalid'), lit(1, 1n)),
          set(ref('s_tlast'), inLast),
        ]),
      ],
    },
    { kind: 'comment', text: 'Monitor: handshakes as the positive edge sees them (the DUT updates its registers after this block reads them).' },
    {
      kind: 'always',
      edge: 'posedge',
      clock: 'clk',
      body: [
        inc('cycle'),
        when(bin('&&', ref('s_tvalid'), ref('s_tready')), [when(bin('==', ref('in_i'), int(0)), [set(ref('first_in'), ref('cycle'))]), inc('in_i'), set(ref('took'), int(1))]),
        when(bin('&&', bin('&&', ref('m_tvalid'), ref('m_tready')), unary('!', ref('done'))), [
          when(bin('||', bin('!==', ref('m_tdata'), index('exp_mem', ref('out_i'))), bin('!==', ref('m_tlast'), outLast)), [
            inc('mismatches'),
            when(bin('<=', ref('mismatches'), int(3)), [
              task('$display', str(`MISMATCH ${name} vector %0d beat %0d: got %h last %b, expected %h`), bin('/', ref('out_i'), int(ob)), bin('%', ref('out_i'), int(ob)), ref('m_tdata'), ref('m_tlast'), index('exp_mem', ref('out_i'))),
            ]),
          ]),
          // A sample is complete at its last beat: the latency is measured to the first one, the II between them.
          when(sampleDone, [
            when(bin('==', ref('out_i'), int(ob - 1)), [set(ref('first_out'), ref('cycle'))], [
              when(bin('>', bin('-', ref('cycle'), ref('last_out')), ref('max_gap')), [set(ref('max_gap'), bin('-', ref('cycle'), ref('last_out')))]),
            ]),
            set(ref('last_out'), ref('cycle')),
          ]),
          inc('out_i'),
          when(bin('==', ref('out_i'), NO), [
            task(
              '$display',
              str(`RESULT ${name} vectors=%0d mismatches=%0d latency=%0d ii=%0d`),
              bin('/', ref('out_i'), int(ob)),
              ref('mismatches'),
              bin('-', ref('first_out'), ref('first_in')),
              n > 1 ? ref('max_gap') : int(1),
            ),
            set(ref('done'), lit(1, 1n)),
          ]),
        ]),
        when(bin('&&', unary('!', ref('done')), bin('>', ref('cycle'), lit(32, BigInt((bp ? 8 : 2) * (stream ? 4 : 1) * n * design.ii + 10 * (design.latency + 10) + 4 * (nIn + nOut))))), [
          task('$display', str(`TIMEOUT ${name} after %0d cycles: %0d of ${nOut} beats (${n} vectors) out, %0d mismatches`), ref('cycle'), ref('out_i'), ref('mismatches')),
          set(ref('done'), lit(1, 1n)),
        ]),
      ],
    },
  ];
  const text = printModule({
    name,
    header: [`// ${name}: self-checking testbench of ${design.top} (network '${design.network}') on ${n} vectors. Generated by QNN Studio.`, '`timescale 1ns / 1ps'],
    ports: [
      { dir: 'input', name: 'clk', net: 'wire', width: 1, signed: false },
      { dir: 'output', name: 'done', net: 'reg', width: 1, signed: false },
    ],
    items,
  });
  return { module: name, files: new Map([[`${name}.v`, text], [inFile, inHex], [expFile, expHex]]) };
}

/** The top of a simulation: a 10 ns clock, one checker per module name, $finish when all are done. */
export function testbenchTop(checkers: readonly string[], name = 'tb_top'): { module: string; file: string; text: string } {
  const k = checkers.length;
  const done: Expr = k === 1 ? ref('done') : unary('&', ref('done'));
  const items: Item[] = [
    reg('clk'),
    wire('done', k),
    ...checkers.map((c, i): Item => ({ kind: 'instance', module: c, name: `u${i}`, connections: [{ port: 'clk', value: ref('clk') }, { port: 'done', value: k === 1 ? ref('done') : { kind: 'slice', name: 'done', hi: i, lo: i } }] })),
    { kind: 'initial', body: [set(ref('clk'), lit(1, 0n)), { kind: 'forever', body: [{ kind: 'delay', time: 5, body: set(ref('clk'), unary('~', ref('clk'))) }] }] },
    { kind: 'always', edge: 'negedge', clock: 'clk', body: [when(done, [task('$finish')])] },
  ];
  const text = printModule({ name, header: [`// ${name}: runs ${k} testbench(es). Generated by QNN Studio.`, '`timescale 1ns / 1ps'], ports: [], items });
  return { module: name, file: `${name}.v`, text };
}
