// Renders the catalog of diagnostic codes (CODES of language/src/diagnostics.ts) as the generated section of
// docs/diagnostics.md. Used by docs/generate-diagnostics.mjs, which rewrites the section, and by
// language/test/diagnostics-doc.test.ts, which checks that the section is up to date.

export const BEGIN_MARKER = '<!-- BEGIN CODES -->';
export const END_MARKER = '<!-- END CODES -->';

/** The series of codes, by their first digit. */
export const SERIES = [
  { digit: '1', title: 'QNN1xxx: syntax', empty: '' },
  { digit: '2', title: 'QNN2xxx: names, types, shapes, weights, settings and test data', empty: '' },
  { digit: '3', title: 'QNN3xxx: resources and timing', empty: 'Reserved for the resource and latency estimator; no codes yet.' },
  { digit: '4', title: 'QNN4xxx: backends and simulation', empty: 'Reserved for the code generators and the simulator; no codes yet.' },
  { digit: '5', title: 'QNN5xxx: importing trained models', empty: 'Reserved for qnn import; no codes yet.' },
];

/** A table cell: pipes and '<' escaped (`int<W>` would read as an HTML tag), line breaks flattened. */
function cell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\s*\n\s*/g, ' ');
}

/**
 * The generated text between the markers (without the markers): one table per series, each code linked to its
 * section (`### QNN2021` in the hand-written part of the page).
 *
 * @param {Readonly<Record<string, { severity: string, title: string, fix: string }>>} codes
 * @returns {string}
 */
export function renderCodes(codes) {
  const names = Object.keys(codes).sort();
  const out = ['<!-- Generated from CODES in language/src/diagnostics.ts by docs/generate-diagnostics.mjs; do not edit. -->', ''];
  for (const s of SERIES) {
    out.push(`### ${s.title}`, '');
    const mine = names.filter((n) => n.startsWith(`QNN${s.digit}`));
    if (mine.length === 0) {
      out.push(s.empty, '');
      continue;
    }
    out.push('| code | severity | title | how to fix |', '|---|---|---|---|');
    for (const n of mine) {
      const c = codes[n];
      out.push(`| [${n}](#${n.toLowerCase()}) | ${cell(c.severity)} | ${cell(c.title)} | ${cell(c.fix)} |`);
    }
    out.push('');
  }
  const unknown = names.filter((n) => !SERIES.some((s) => n.startsWith(`QNN${s.digit}`)));
  if (unknown.length) throw new Error(`codes outside the known series: ${unknown.join(', ')}`);
  return out.join('\n');
}

/**
 * The document with the text between the markers replaced by `renderCodes(codes)`.
 *
 * @param {string} doc
 * @param {Readonly<Record<string, { severity: string, title: string, fix: string }>>} codes
 * @returns {string}
 */
export function replaceCodesSection(doc, codes) {
  const { start, end } = markers(doc);
  return `${doc.slice(0, start)}\n${renderCodes(codes)}\n${doc.slice(end)}`;
}

/**
 * The text between the markers, without the line breaks that follow the first and precede the second.
 *
 * @param {string} doc
 * @returns {string}
 */
export function codesSection(doc) {
  const { start, end } = markers(doc);
  return doc.slice(start, end).replace(/^\n/, '').replace(/\n$/, '');
}

/** Offsets just after the begin marker and at the end marker. */
function markers(doc) {
  const b = doc.indexOf(BEGIN_MARKER);
  const e = doc.indexOf(END_MARKER);
  if (b < 0 || e < 0 || e < b || doc.indexOf(BEGIN_MARKER, b + 1) >= 0 || doc.indexOf(END_MARKER, e + 1) >= 0) {
    throw new Error(`docs/diagnostics.md must contain ${BEGIN_MARKER} and then ${END_MARKER}, once each`);
  }
  return { start: b + BEGIN_MARKER.length, end: e };
}
