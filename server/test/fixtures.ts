// Fixtures as data: `.qnn` files (or folders of them) with cursor markers `$N` in the code and expectations in
// `//@` comment lines. Markers are removed before the files are written; `//@` lines stay (they are comments).
// A marker is `$` and digits, or `$(N)` right before a digit.
//
//   //@ hover $1 ~ "text"                      the hover at $1 contains each quoted text
//   //@ hover $1 none                          no hover at $1
//   //@ completion $2 + dense conv1d - input   the completion at $2 offers the + labels and not the - labels
//   //@ signature $3 "dense(x, units)" units   the signature label, and the active parameter's name
//   //@ definition $4 -> $5                    go to definition at $4 lands on $5 (any file of the fixture)
//   //@ references $4 = $4 $5                  the references (with the declaration) are exactly these
//   //@ diagnostic QNN2001 $6 ~ "text"         a diagnostic with this code starts at $6 and contains the text
//   //@ related QNN2002 $6 -> $7               that diagnostic has related information at $7
//   //@ diagnostics QNN2001 QNN2003            the file's diagnostics have exactly these codes (in order)
//   //@ action $6 "title" => "text"            a code action at $6 with this title; after it the file contains text
//   //@ rename $4 name => file.qnn ~ "text"    renaming at $4 gives edits after which file.qnn contains text
//   //@ inlay ~ "text"                         every layer line has an inlay hint; some hint contains text
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface Marker {
  readonly file: string;
  readonly offset: number;
  readonly line: number;
  readonly character: number;
}

export interface Directive {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  readonly args: string;
}

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  /** File name → text (markers removed). */
  readonly files: Map<string, string>;
  readonly markers: Map<string, Marker>;
  readonly directives: Directive[];
}

/** Loads a fixture (a .qnn file or a folder) and writes its files, markers removed, to a fresh temporary folder. */
export function loadFixture(path: string): Fixture {
  const sources = new Map<string, string>();
  if (statSync(path).isDirectory()) {
    for (const n of readdirSync(path)) if (n.endsWith('.qnn')) sources.set(n, readFileSync(join(path, n), 'utf8'));
  } else sources.set(basename(path), readFileSync(path, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'qnn-lsp-fixture-'));
  const files = new Map<string, string>();
  const markers = new Map<string, Marker>();
  const directives: Directive[] = [];
  for (const [name, src] of sources) {
    let out = '';
    const lines = src.split('\n');
    lines.forEach((lineText, i) => {
      const d = /^\s*\/\/@\s*([a-z-]+)\s*(.*)$/.exec(lineText);
      if (d) directives.push({ file: name, line: i, kind: d[1], args: d[2] });
      let text = lineText;
      if (!d) {
        let m: RegExpExecArray | null;
        const re = /\$\((\d+)\)|\$(\d+)/g;
        let stripped = '';
        let last = 0;
        while ((m = re.exec(lineText))) {
          stripped += lineText.slice(last, m.index);
          const character = stripped.length;
          markers.set(`$${m[1] ?? m[2]}`, { file: name, offset: out.length + character, line: i, character });
          last = m.index + m[0].length;
        }
        text = stripped + lineText.slice(last);
      }
      out += text + (i < lines.length - 1 ? '\n' : '');
    });
    files.set(name, out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), out);
  }
  return { name: basename(path), dir, files, markers, directives };
}

/** Quoted strings of an argument text: `~ "a" "b"` → [a, b]. */
export function quoted(s: string): string[] {
  return [...s.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"'));
}

export interface TextEdit {
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
  readonly newText: string;
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const off = (p: { line: number; character: number }) => (p.line >= starts.length ? text.length : Math.min(starts[p.line] + p.character, text.length));
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
