// The Verilog syntax model's printer: plain Verilog-2005, sized literals as two's-complement bits, lint waivers around
// one declaration, identifiers checked (no keyword of Verilog or SystemVerilog, no escaped names).
import { describe, expect, it } from 'vitest';
import { vast } from '../src/index.js';

const { bin, bit, concat, hexBits, isIdentifier, lit, nb, printExpr, printModule, ref, repeat, signed, slice, when } = vast;

describe('Verilog printer', () => {
  it('prints sized literals as two’s-complement hex, signed when asked', () => {
    expect(printExpr(lit(8, -3n, true))).toBe("8'shfd");
    expect(printExpr(lit(5, 3n))).toBe("5'h03");
    expect(printExpr(lit(1, 1n))).toBe("1'h1");
    expect(hexBits(-1n, 70)).toBe('3fffffffffffffffff');
  });

  it('prints selections, replications, $signed and parenthesized operators', () => {
    const e = signed(concat([repeat(3, bit('x', 4)), ref('x')]));
    expect(printExpr(e)).toBe('$signed({{3{x[4]}}, x})');
    expect(printExpr(bin('+', slice('q', 7, 2), lit(6, 1n)))).toBe("(q[7:2] + 6'h01)");
    expect(printExpr(repeat(1, ref('a')))).toBe('a');
    expect(printExpr(concat([ref('a')]))).toBe('a');
  });

  it('rejects names that are not plain identifiers or are keywords', () => {
    expect(isIdentifier('fc1_o3')).toBe(true);
    for (const bad of ['wire', 'logic', 'int', '1a', 'a-b', 'a b', '']) expect(isIdentifier(bad)).toBe(false);
    expect(() => printExpr(ref('logic'))).toThrow(/not a Verilog identifier/);
  });

  it('prints a module with ANSI ports, waivers around one declaration, and clocked blocks', () => {
    const text = printModule({
      name: 'm',
      header: ['// header'],
      ports: [
        { dir: 'input', name: 'clk', net: 'wire', width: 1, signed: false },
        { dir: 'input', name: 'd', net: 'wire', width: 8, signed: true, comment: 'data' },
        { dir: 'output', name: 'q', net: 'wire', width: 4, signed: false },
      ],
      items: [
        { kind: 'decl', decl: { name: 'r', net: 'reg', width: 1, signed: true, vector: true } },
        { kind: 'decl', decl: { name: 'w', net: 'wire', width: 8, signed: true, waive: { warning: 'UNUSEDSIGNAL', reason: 'low bits dropped' } } },
        { kind: 'assign', target: 'w', value: ref('d') },
        { kind: 'assign', target: 'q', value: slice('w', 7, 4) },
        { kind: 'always', edge: 'posedge', clock: 'clk', body: [when(bit('w', 0), [nb(ref('r'), bit('w', 1))], [nb(ref('r'), lit(1, 0n))])] },
      ],
    });
    expect(text).toBe(
      [
        '// header',
        'module m (',
        '  input wire clk,',
        '  input wire signed [7:0] d, // data',
        '  output wire [3:0] q',
        ');',
        '  reg signed [0:0] r;',
        '  // low bits dropped',
        '  /* verilator lint_off UNUSEDSIGNAL */',
        '  wire signed [7:0] w;',
        '  /* verilator lint_on UNUSEDSIGNAL */',
        '  assign w = d;',
        '  assign q = w[7:4];',
        '  always @(posedge clk) begin',
        '    if (w[0]) begin',
        '      r <= w[1];',
        '    end else begin',
        "      r <= 1'h0;",
        '    end',
        '  end',
        'endmodule',
        '',
      ].join('\n'),
    );
  });
});
