// The Chevrotain grammar of .qnn (a CST parser without embedded actions; cst-to-ast.ts builds the AST).
import { CstParser, EOF, type IParserErrorMessageProvider, type TokenType, type IToken } from 'chevrotain';
import * as T from './lexer.js';

const TOKEN_TEXT: Record<string, string> = {
  Identifier: 'a name',
  Number: 'a number',
  String: 'a string',
  BadString: 'an unterminated string',
  Arrow: "'->'",
  LessEq: "'<='",
  Less: "'<'",
  Greater: "'>'",
  Equals: "'='",
  Colon: "':'",
  Comma: "','",
  Semicolon: "';'",
  Minus: "'-'",
  LParen: "'('",
  RParen: "')'",
  LBrace: "'{'",
  RBrace: "'}'",
  LBracket: "'['",
  RBracket: "']'",
  EOF: 'the end of the file',
};

export function describeTokenType(t: TokenType): string {
  return TOKEN_TEXT[t.name] ?? `'${t.name.toLowerCase()}'`;
}

function describeToken(tok: IToken): string {
  if (tok.tokenType === EOF) return 'the end of the file';
  const text = tok.image.length > 24 ? tok.image.slice(0, 24) + '…' : tok.image;
  return `'${text}'`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    return `Expected ${describeTokenType(expected)} but found ${describeToken(actual)}${context(ruleName)}.`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `Unexpected ${describeToken(firstRedundant)}: a statement starts with a keyword or 'name ='.`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const first = new Set<string>();
    for (const alt of expectedPathsPerAlt) for (const path of alt) if (path[0]) first.add(describeTokenType(path[0]));
    const list = [...first].slice(0, 6).join(', ');
    return `Unexpected ${describeToken(actual[0])}${context(ruleName)}; expected ${list}.`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const first = new Set<string>();
    for (const path of expectedIterationPaths) if (path[0]) first.add(describeTokenType(path[0]));
    return `Expected ${[...first].slice(0, 6).join(', ')} but found ${describeToken(actual[0])}${context(ruleName)}.`;
  },
};

const RULE_TEXT: Record<string, string> = {
  importDecl: 'in an import',
  targetDecl: 'in a target',
  typeDecl: 'in a type declaration',
  networkDecl: 'in a network',
  testDecl: 'in a test block',
  networkStmt: 'in a network',
  layerDecl: 'in a layer',
  inputDecl: 'in an input',
  outputStmt: 'in an output',
  attr: 'in an attribute',
  attrBlock: 'in an attribute block',
  fixedType: 'in a fixed-point type',
  tensorType: 'in a tensor type',
  budget: 'in a budget',
  fifoStmt: 'in a fifo statement',
  arrayLit: 'in an array',
  argList: 'in an argument list',
};

function context(rule: string): string {
  const text = RULE_TEXT[rule];
  return text ? ` ${text}` : '';
}

const NETWORK_ONLY_KEYWORDS: readonly TokenType[] = [T.Io, T.Reuse, T.Precision, T.Init, T.Require, T.Fifo, T.Input, T.Output];

class QnnGrammar extends CstParser {
  constructor() {
    super(T.ALL_TOKENS as TokenType[], {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: messages,
      skipValidations: true,
      nodeLocationTracking: 'onlyOffset',
    });
    this.performSelfAnalysis();
  }

  /** After a run of '}', does a network statement follow (`name =` or a keyword only networks use)? */
  private strayBraceAhead(): boolean {
    let k = 1;
    while (this.LA(k).tokenType === T.RBrace) k++;
    return k > 1 && this.networkStmtAhead(k);
  }

  /** Does a network statement (`name =` or a keyword only networks use) start at LA(k)? */
  private networkStmtAhead(k: number): boolean {
    const next = this.LA(k).tokenType;
    if (next === T.Identifier) return this.LA(k + 1).tokenType === T.Equals;
    return NETWORK_ONLY_KEYWORDS.includes(next);
  }

  // Single-token insertion and deletion guess too eagerly in a newline-free grammar (a garbage word becomes a layer
  // name); without them, a failed statement is skipped up to the next token that can start one.
  override canTokenTypeBeInsertedInRecovery(): boolean {
    return false;
  }
  override canTokenTypeBeDeletedInRecovery(): boolean {
    return false;
  }

  public file = this.RULE('file', () => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.topItem) },
        // Network statements after a '}' that closed their network too early: parsed, so that errors among them are
        // found, and reported once as outside any network.
        { GATE: () => this.networkStmtAhead(1), ALT: () => this.SUBRULE(this.orphanStmt) },
        { ALT: () => this.SUBRULE(this.topJunk) },
      ]),
    );
  });

  private orphanStmt = this.RULE('orphanStmt', () => {
    this.SUBRULE(this.networkStmt);
  });

  /** Tokens that cannot start a statement, skipped (and reported) so that parsing resumes at the next statement. */
  private junk = this.RULE('junk', () => {
    this.AT_LEAST_ONE(() => this.OR(T.JUNK_TOKENS.map((tok) => ({ ALT: () => this.CONSUME(tok) }))));
  });

  /** One name or keyword where a statement or attribute cannot start with it. */
  private wordJunk = this.RULE('wordJunk', () => {
    this.OR([T.Identifier, ...T.KEYWORDS].map((tok) => ({ ALT: () => this.CONSUME(tok) })));
  });

  private networkJunk = this.RULE('networkJunk', () => {
    this.AT_LEAST_ONE(() => this.OR(T.NETWORK_JUNK_TOKENS.map((tok) => ({ ALT: () => this.CONSUME(tok) }))));
  });

  /** '}' that does not end the network: more network statements follow it (a stray brace in the body). */
  private strayBraces = this.RULE('strayBraces', () => {
    this.AT_LEAST_ONE(() => this.CONSUME(T.RBrace));
  });

  private topJunk = this.RULE('topJunk', () => {
    this.OR(T.TOP_JUNK_TOKENS.map((tok) => ({ ALT: () => this.CONSUME(tok) })));
    this.MANY({
      // Stop where a network statement starts, so that it is parsed as an orphan statement.
      GATE: () => !this.networkStmtAhead(1),
      DEF: () => this.OR2(T.TOP_JUNK_TOKENS.map((tok) => ({ ALT: () => this.CONSUME2(tok) }))),
    });
  });

  private topItem = this.RULE('topItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.targetDecl) },
      { ALT: () => this.SUBRULE(this.typeDecl) },
      { ALT: () => this.SUBRULE(this.networkDecl) },
      { ALT: () => this.SUBRULE(this.testDecl) },
    ]);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  private importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.importName) });
      this.CONSUME(T.RBrace);
      this.CONSUME(T.From);
    });
    this.CONSUME(T.StringTok);
  });

  private importName = this.RULE('importName', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME2(T.Identifier, { LABEL: 'alias' });
    });
  });

  private targetDecl = this.RULE('targetDecl', () => {
    this.CONSUME(T.Target);
    this.SUBRULE(this.partName);
    this.OPTION(() => {
      this.CONSUME(T.Clock);
      this.CONSUME(T.NumberTok);
    });
  });

  /** `xcu250` or a full ordering code such as `xcu250-figd2104-2L-e` (written without spaces). */
  private partName = this.RULE('partName', () => {
    this.CONSUME(T.Identifier);
    this.MANY({
      GATE: () => this.LA(1).tokenType === T.Minus && this.LA(1).startOffset === this.LA(0).startOffset + this.LA(0).image.length,
      DEF: () => {
        this.CONSUME(T.Minus);
        this.OR([{ ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.CONSUME(T.NumberTok) }]);
      },
    });
  });

  private typeDecl = this.RULE('typeDecl', () => {
    this.CONSUME(T.Type);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.typeExpr);
  });

  private networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.statementLoop();
    this.CONSUME(T.RBrace);
  });

  /** The statements of a network, inlined into networkDecl and networkBody (so both record the same loop). */
  private statementLoop(): void {
    this.MANY({
      // A '}' ends the network unless more network statements follow it.
      GATE: () => this.LA(1).tokenType !== T.RBrace || this.strayBraceAhead(),
      DEF: () =>
        this.OR([
          // A name without '=' after it cannot start a layer: skip it cheaply instead of failing a layer.
          { GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType !== T.Equals, ALT: () => this.SUBRULE(this.wordJunk) },
          { ALT: () => this.SUBRULE(this.networkStmt) },
          { ALT: () => this.SUBRULE(this.networkJunk) },
          { ALT: () => this.SUBRULE(this.strayBraces) },
        ]),
    });
  }

  /**
   * The statements of a network body without its braces: the entry rule of incremental parsing (parse.ts), which
   * re-parses only the statements an edit touched. networkDecl's loop (statementLoop); used only on token ranges that
   * parse without error, where the two give the same statements.
   */
  public networkBody = this.RULE('networkBody', () => {
    this.statementLoop();
  });

  private testDecl = this.RULE('testDecl', () => {
    this.CONSUME(T.Test);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.For);
    this.CONSUME2(T.Identifier, { LABEL: 'network' });
    this.SUBRULE(this.attrBlock);
  });

  private networkStmt = this.RULE('networkStmt', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.ioStmt) },
      { ALT: () => this.SUBRULE(this.reuseStmt) },
      { ALT: () => this.SUBRULE(this.precisionStmt) },
      { ALT: () => this.SUBRULE(this.initStmt) },
      { ALT: () => this.SUBRULE(this.requireStmt) },
      { ALT: () => this.SUBRULE(this.fifoStmt) },
      { ALT: () => this.SUBRULE(this.targetDecl) },
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.layerDecl) },
    ]);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  private ioStmt = this.RULE('ioStmt', () => {
    this.CONSUME(T.Io);
    this.CONSUME(T.Identifier);
  });

  private reuseStmt = this.RULE('reuseStmt', () => {
    this.CONSUME(T.Reuse);
    this.SUBRULE(this.signedNumber);
  });

  private precisionStmt = this.RULE('precisionStmt', () => {
    this.CONSUME(T.Precision);
    this.SUBRULE(this.typeExpr);
  });

  private initStmt = this.RULE('initStmt', () => {
    this.CONSUME(T.Init);
    this.SUBRULE(this.expr);
  });

  private requireStmt = this.RULE('requireStmt', () => {
    this.CONSUME(T.Require);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.budget) });
  });

  private budget = this.RULE('budget', () => {
    this.CONSUME(T.Identifier);
    this.OR([{ ALT: () => this.CONSUME(T.LessEq) }, { ALT: () => this.CONSUME(T.Less) }]);
    this.SUBRULE(this.signedNumber);
  });

  private fifoStmt = this.RULE('fifoStmt', () => {
    this.CONSUME(T.Fifo);
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: 'from' });
      this.CONSUME(T.Arrow);
      this.CONSUME2(T.Identifier, { LABEL: 'to' });
      this.CONSUME(T.Depth);
    });
    this.SUBRULE(this.signedNumber);
  });

  private inputDecl = this.RULE('inputDecl', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.tensorType);
  });

  private outputStmt = this.RULE('outputStmt', () => {
    this.CONSUME(T.Output);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
  });

  private layerDecl = this.RULE('layerDecl', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier, { LABEL: 'op' });
    this.SUBRULE(this.argList);
    this.OPTION(() => this.SUBRULE(this.attrBlock));
    this.OPTION2(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.tensorType);
    });
  });

  private argList = this.RULE('argList', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(T.RParen);
  });

  private arg = this.RULE('arg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.SUBRULE(this.attrName);
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.expr);
  });

  private attrBlock = this.RULE('attrBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR([
        // A word without ':' or '=' after it cannot start an attribute.
        { GATE: () => this.LA(2).tokenType !== T.Colon && this.LA(2).tokenType !== T.Equals, ALT: () => this.SUBRULE2(this.wordJunk) },
        {
          ALT: () => {
            this.SUBRULE(this.attr);
            this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semicolon) }]));
          },
        },
        { ALT: () => this.SUBRULE(this.junk) },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  private attr = this.RULE('attr', () => {
    this.SUBRULE(this.attrName);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.SUBRULE(this.expr, { LABEL: 'head' });
          this.OPTION(() => {
            this.CONSUME(T.Equals);
            this.SUBRULE2(this.expr, { LABEL: 'value' });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.Equals);
          this.SUBRULE3(this.expr, { LABEL: 'value' });
        },
      },
    ]);
  });

  /** An identifier or a keyword, where a name of an attribute or argument is expected. */
  private attrName = this.RULE('attrName', () => {
    this.OR(
      [T.Identifier, ...T.KEYWORDS].map((tok) => ({ ALT: () => this.CONSUME(tok) })),
    );
  });

  private tensorType = this.RULE('tensorType', () => {
    // typeExpr inlined: a layer's result type is on the hot path.
    this.OR([{ ALT: () => this.SUBRULE(this.fixedType) }, { ALT: () => this.CONSUME(T.Identifier) }]);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.signedNumber) });
      this.CONSUME(T.RBracket);
    });
  });

  private typeExpr = this.RULE('typeExpr', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.fixedType) }, { ALT: () => this.CONSUME(T.Identifier) }]);
  });

  private fixedType = this.RULE('fixedType', () => {
    this.OR(T.TYPE_KEYWORDS.map((tok) => ({ ALT: () => this.CONSUME(tok) })));
    this.CONSUME(T.Less);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () =>
        this.OR2([{ ALT: () => this.SUBRULE(this.signedNumber) }, { ALT: () => this.CONSUME(T.Identifier) }]),
    });
    this.CONSUME(T.Greater);
  });

  private signedNumber = this.RULE('signedNumber', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberTok);
  });

  private expr = this.RULE('expr', () => {
    this.OR([
      {
        // signedNumber inlined: numbers are the most frequent expression.
        ALT: () => {
          this.OPTION2(() => this.CONSUME(T.Minus));
          this.CONSUME(T.NumberTok);
        },
      },
      { ALT: () => this.CONSUME(T.StringTok) },
      { ALT: () => this.CONSUME(T.BadString) },
      { ALT: () => this.SUBRULE(this.arrayLit) },
      { ALT: () => this.SUBRULE(this.fixedType) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => this.SUBRULE(this.argList));
        },
      },
    ]);
  });

  private arrayLit = this.RULE('arrayLit', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr) });
    this.CONSUME(T.RBracket);
  });
}

/** The one parser instance (Chevrotain parsers are reusable: set `input`, call a rule). */
export const qnnGrammar = new QnnGrammar();

/**
 * Chevrotain builds each CST node's `children` with `Object.create(null)`, a dictionary-mode object. A plain `{}`
 * gets V8 hidden classes shared by all nodes of a rule: on a 10,000-line file the CST shrinks by about a third and
 * parsing takes 62 ms instead of 76-84 ms (bench/language.mjs), mostly less garbage collection. The override uses
 * two internals of Chevrotain 11 (`setInitialNodeLocation`, `CST_STACK`) and is skipped if they are missing, so that
 * an upgrade can only make parsing slower, never wrong. Rule and token names never collide with Object.prototype.
 */
interface TreeBuilderInternals {
  setInitialNodeLocation?: (node: object) => void;
  CST_STACK?: object[];
  cstInvocationStateUpdate?: (fullRuleName: string) => void;
}
const internals = qnnGrammar as unknown as TreeBuilderInternals;
if (typeof internals.setInitialNodeLocation === 'function' && Array.isArray(internals.CST_STACK) && typeof internals.cstInvocationStateUpdate === 'function') {
  internals.cstInvocationStateUpdate = function (this: Required<TreeBuilderInternals>, fullRuleName: string): void {
    const node = { name: fullRuleName, children: {} };
    this.setInitialNodeLocation(node);
    this.CST_STACK.push(node);
  };
}
