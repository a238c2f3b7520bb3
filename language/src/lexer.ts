// Tokens of the .qnn language and the one Chevrotain lexer instance.
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(word: string): TokenType {
  return createToken({
    name: word[0].toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
  });
}

export const Import = keyword('import');
export const From = keyword('from');
export const As = keyword('as');
export const Target = keyword('target');
export const Clock = keyword('clock');
export const Type = keyword('type');
export const Network = keyword('network');
export const Test = keyword('test');
export const For = keyword('for');
export const Io = keyword('io');
export const Reuse = keyword('reuse');
export const Precision = keyword('precision');
export const Init = keyword('init');
export const Require = keyword('require');
export const Fifo = keyword('fifo');
export const Depth = keyword('depth');
export const Input = keyword('input');
export const Output = keyword('output');
export const Fixed = keyword('fixed');
export const UFixed = keyword('ufixed');
export const Int = keyword('int');
export const UInt = keyword('uint');

/** Keywords that may also name an attribute (`reuse: 4`) or a named argument. */
export const KEYWORDS: readonly TokenType[] = [
  Import, From, As, Target, Clock, Type, Network, Test, For, Io, Reuse, Precision, Init, Require, Fifo, Depth,
  Input, Output, Fixed, UFixed, Int, UInt,
];
export const TYPE_KEYWORDS: readonly TokenType[] = [Fixed, UFixed, Int, UInt];

/** A number with an optional unit glued to it: `64`, `0.125`, `1e-3`, `5ns`, `200MHz`, `80%`. */
export const NumberTok = createToken({
  name: 'Number',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:%|[A-Za-z_][A-Za-z0-9_]*)?/,
});
export const StringTok = createToken({ name: 'String', pattern: /"(?:[^"\\\r\n]|\\.)*"/ });
/** A string with no closing quote on its line: lexed so that the parser can report it and go on. */
export const BadString = createToken({ name: 'BadString', pattern: /"(?:[^"\\\r\n]|\\.)*/ });

export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true });
/** A block comment that runs to the end of the file: reported, and its text kept as a comment. */
export const UnclosedComment = createToken({ name: 'UnclosedComment', pattern: /\/\*[\s\S]*/, group: 'comments', line_breaks: true });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });

export const Arrow = createToken({ name: 'Arrow', pattern: /->/ });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });

export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnclosedComment,
  ...KEYWORDS,
  Identifier,
  NumberTok,
  StringTok,
  BadString,
  Arrow,
  LessEq,
  Less,
  Greater,
  Equals,
  Colon,
  Comma,
  Semicolon,
  Minus,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
];

export const qnnLexer = new Lexer(ALL_TOKENS as TokenType[], {
  ensureOptimizations: true,
  // Offsets only: lines are computed from offsets where needed (LineIndex), which keeps tokens small and fast.
  positionTracking: 'onlyOffset',
  skipValidations: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.QNN_VALIDATE_GRAMMAR !== '1',
});

/**
 * Tokens that cannot start a statement inside a block. The grammar consumes runs of them as "junk" (reported as
 * syntax errors), so that garbage in the middle of a network does not end the network. Plain token types, not
 * categories: Chevrotain's re-synchronization matches follow sets by type.
 */
export const JUNK_TOKENS: readonly TokenType[] = [
  NumberTok, StringTok, BadString, Arrow, LessEq, Less, Greater, Equals, Colon, Comma, Semicolon, Minus, LParen,
  RParen, LBrace, LBracket, RBracket,
];
/** Inside a network, also the keywords that cannot start a network statement (but not 'network' and 'test': those
 * most likely follow a network whose '}' is missing). */
export const NETWORK_JUNK_TOKENS: readonly TokenType[] = [...JUNK_TOKENS, Import, Type, From, As, Clock, For, Depth, Fixed, UFixed, Int, UInt];
/** At top level, also names, '}' and the keywords that cannot start a top-level item. */
export const TOP_JUNK_TOKENS: readonly TokenType[] = [
  ...JUNK_TOKENS, RBrace, Identifier, From, As, Clock, For, Io, Reuse, Precision, Init, Require, Fifo, Depth, Input,
  Output, Fixed, UFixed, Int, UInt,
];
