/**
 * Lexer and parser of the Workflows expression language, the text inside `${...}`.
 * Precedence, loosest first (Google's "Order of operations" table):
 *   or < and < comparisons and `in` (== != < <= > >= in) < + - < * / // % < unary not, - < . [] ()
 * Logical keywords may be lower- or upper-case but not mixed (`and`, `AND`); booleans also accept
 * `True`/`TRUE`. String literals take double or single quotes with JSON-style escapes.
 * Docs: https://cloud.google.com/workflows/docs/reference/syntax/expressions
 *       https://cloud.google.com/workflows/docs/reference/syntax/datatypes#order-of-operations
 */
import { Double, type Value } from './values.ts';

export type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '//' | '%';

/** An expression node; `pos` is the 0-based offset in the expression text, for error positions. */
export type Expr =
  | { readonly kind: 'lit'; readonly pos: number; readonly value: Value }
  | { readonly kind: 'var'; readonly pos: number; readonly name: string }
  | { readonly kind: 'member'; readonly pos: number; readonly obj: Expr; readonly name: string }
  | { readonly kind: 'index'; readonly pos: number; readonly obj: Expr; readonly index: Expr }
  /** `callee` is the dotted function name (`text.split`), resolved when the workflow runs. */
  | { readonly kind: 'call'; readonly pos: number; readonly callee: string; readonly args: readonly Expr[] }
  | { readonly kind: 'unary'; readonly pos: number; readonly op: '-' | 'not'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly pos: number; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'list'; readonly pos: number; readonly items: readonly Expr[] }
  | { readonly kind: 'map'; readonly pos: number; readonly entries: readonly (readonly [Expr, Expr])[] };

/** The expressions directly inside `e`, in evaluation order. */
export function operandsOf(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'call':
      return e.args;
    case 'member':
      return [e.obj];
    case 'index':
      return [e.obj, e.index];
    case 'unary':
      return [e.arg];
    case 'binary':
      return [e.left, e.right];
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flat();
    default:
      return [];
  }
}

export class ExpressionSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
    this.name = 'ExpressionSyntaxError';
  }
}

type Token =
  | { readonly kind: 'num'; readonly pos: number; readonly value: number | Double }
  | { readonly kind: 'str'; readonly pos: number; readonly value: string }
  | { readonly kind: 'id'; readonly pos: number; readonly value: string }
  | { readonly kind: 'op'; readonly pos: number; readonly value: string }
  | { readonly kind: 'eof'; readonly pos: number };

const OPERATORS = ['//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.'];

function keyword(word: string): string | undefined {
  const lower = word.toLowerCase();
  // Google accepts lower- and upper-case keywords, not mixed case; `True` is also a boolean.
  if (['and', 'or', 'not', 'in'].includes(lower) && (word === lower || word === word.toUpperCase())) return lower;
  if (['true', 'false'].includes(lower) && (word === lower || word === word.toUpperCase() || word === lower[0]!.toUpperCase() + lower.slice(1))) return lower;
  if (word === 'null') return 'null';
  return undefined;
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c >= '0' && c <= '9') {
      while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      let isDouble = false;
      if (src[i] === '.' && /[0-9]/.test(src[i + 1] ?? '')) {
        isDouble = true;
        i++;
        while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      }
      if ((src[i] === 'e' || src[i] === 'E') && /[-+0-9]/.test(src[i + 1] ?? '')) {
        isDouble = true;
        i += 2;
        while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      }
      const text = src.slice(start, i);
      const n = Number(text);
      if (!isDouble && !Number.isSafeInteger(n)) throw new ExpressionSyntaxError(`integer ${text} is beyond ±2^53, which this simulator cannot represent exactly`, start);
      tokens.push({ kind: 'num', pos: start, value: isDouble ? new Double(n) : n });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let out = '';
      while (true) {
        if (i >= src.length) throw new ExpressionSyntaxError('unterminated string literal', start);
        const ch = src[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch === '\\') {
          const e = src[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', '"': '"', "'": "'", '/': '/' };
          if (e !== undefined && simple[e] !== undefined) {
            out += simple[e];
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            throw new ExpressionSyntaxError(`unknown escape sequence \\${e ?? ''} in string literal`, i);
          }
          continue;
        }
        out += ch;
        i++;
      }
      tokens.push({ kind: 'str', pos: start, value: out });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      tokens.push({ kind: 'id', pos: start, value: src.slice(start, i) });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
    tokens.push({ kind: 'op', pos: start, value: op });
    i += op.length;
  }
  tokens.push({ kind: 'eof', pos: src.length });
  return tokens;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === value;
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'id' && keyword(t.value) === word;
  }
  private expectOp(value: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.value !== value) throw new ExpressionSyntaxError(`expected "${value}" but found ${describeToken(t)}`, t.pos);
    return t;
  }

  parseAll(): Expr {
    if (this.peek().kind === 'eof') throw new ExpressionSyntaxError('empty expression', 0);
    const e = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') throw new ExpressionSyntaxError(`unexpected ${describeToken(t)} after a complete expression`, t.pos);
    return e;
  }

  private parseOr(): Expr {
    return this.parseKeywordOperator('or', () => this.parseAnd());
  }
  private parseAnd(): Expr {
    return this.parseKeywordOperator('and', () => this.parseComparison());
  }
  /** `operand (KEYWORD operand)*`, left-associative: `a or b or c` is `(a or b) or c`. */
  private parseKeywordOperator(op: 'or' | 'and', operand: () => Expr): Expr {
    let left = operand();
    while (this.isKeyword(op)) {
      const pos = this.next().pos;
      left = { kind: 'binary', pos, op, left, right: operand() };
    }
    return left;
  }
  private parseComparison(): Expr {
    let left = this.parseAdditive();
    while (true) {
      const t = this.peek();
      if (t.kind === 'op' && COMPARISONS.has(t.value)) {
        this.next();
        left = { kind: 'binary', pos: t.pos, op: t.value as BinaryOp, left, right: this.parseAdditive() };
      } else if (this.isKeyword('in')) {
        this.next();
        left = { kind: 'binary', pos: t.pos, op: 'in', left, right: this.parseAdditive() };
      } else return left;
    }
  }
  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next() as { value: string; pos: number };
      left = { kind: 'binary', pos: t.pos, op: t.value as BinaryOp, left, right: this.parseMultiplicative() };
    }
    return left;
  }
  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const t = this.next() as { value: string; pos: number };
      left = { kind: 'binary', pos: t.pos, op: t.value as BinaryOp, left, right: this.parseUnary() };
    }
    return left;
  }
  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'unary', pos: t.pos, op: 'not', arg: this.parseUnary() };
    }
    if (this.isOp('-')) {
      this.next();
      const arg = this.parseUnary();
      // Fold `-5` into a literal so that the most negative integer and plain negative numbers stay literals.
      if (arg.kind === 'lit' && typeof arg.value === 'number') return { kind: 'lit', pos: t.pos, value: -arg.value };
      if (arg.kind === 'lit' && arg.value instanceof Double) return { kind: 'lit', pos: t.pos, value: new Double(-arg.value.value) };
      return { kind: 'unary', pos: t.pos, op: '-', arg };
    }
    return this.parsePostfix();
  }
  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    while (true) {
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'id') throw new ExpressionSyntaxError(`expected a field name after "." but found ${describeToken(name)}`, name.pos);
        e = { kind: 'member', pos: name.pos, obj: e, name: name.value };
      } else if (this.isOp('[')) {
        const open = this.next();
        const index = this.parseOr();
        this.expectOp(']');
        e = { kind: 'index', pos: open.pos, obj: e, index };
      } else if (this.isOp('(')) {
        const open = this.next();
        const callee = dottedName(e);
        if (callee === undefined) throw new ExpressionSyntaxError('only named functions can be called, e.g. len(x) or text.split(s, ",")', open.pos);
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          do args.push(this.parseOr());
          while (this.isOp(',') && this.next());
        }
        this.expectOp(')');
        e = { kind: 'call', pos: e.pos, callee, args };
      } else return e;
    }
  }
  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
      case 'str':
        return { kind: 'lit', pos: t.pos, value: t.value };
      case 'id': {
        const kw = keyword(t.value);
        if (kw === 'true' || kw === 'false') return { kind: 'lit', pos: t.pos, value: kw === 'true' };
        if (kw === 'null') return { kind: 'lit', pos: t.pos, value: null };
        if (kw !== undefined) throw new ExpressionSyntaxError(`"${t.value}" is an operator and cannot start an operand`, t.pos);
        return { kind: 'var', pos: t.pos, name: t.value };
      }
      case 'op':
        if (t.value === '(') {
          const e = this.parseOr();
          this.expectOp(')');
          return e;
        }
        if (t.value === '[') {
          const items: Expr[] = [];
          if (!this.isOp(']')) {
            do {
              if (this.isOp(']')) break; // trailing comma
              items.push(this.parseOr());
            } while (this.isOp(',') && this.next());
          }
          this.expectOp(']');
          return { kind: 'list', pos: t.pos, items };
        }
        if (t.value === '{') {
          const entries: (readonly [Expr, Expr])[] = [];
          if (!this.isOp('}')) {
            do {
              if (this.isOp('}')) break;
              const key = this.parseOr();
              this.expectOp(':');
              entries.push([key, this.parseOr()]);
            } while (this.isOp(',') && this.next());
          }
          this.expectOp('}');
          return { kind: 'map', pos: t.pos, entries };
        }
        throw new ExpressionSyntaxError(`unexpected "${t.value}"`, t.pos);
      case 'eof':
        throw new ExpressionSyntaxError('the expression ends too early', t.pos);
    }
  }
}

function dottedName(e: Expr): string | undefined {
  if (e.kind === 'var') return e.name;
  if (e.kind === 'member') {
    const base = dottedName(e.obj);
    return base === undefined ? undefined : `${base}.${e.name}`;
  }
  return undefined;
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the expression';
    case 'str':
      return `string ${JSON.stringify(t.value)}`;
    case 'num':
      return `number ${typeof t.value === 'number' ? t.value : t.value.value}`;
    default:
      return `"${t.value}"`;
  }
}

/** Parses the text between `${` and `}`; throws ExpressionSyntaxError with the offending offset. */
export function parseExpression(src: string): Expr {
  return new Parser(tokenize(src)).parseAll();
}

/**
 * Whether a YAML string is an expression: the whole value is `${...}`. Strings that merely contain
 * `${` somewhere are literal text to Workflows (there is no interpolation), see `partialExpression`.
 */
export function expressionBody(s: string): string | undefined {
  const trimmed = s.trim();
  if (trimmed.startsWith('${') && trimmed.endsWith('}')) return trimmed.slice(2, -1);
  return undefined;
}

/** A string with `${` that is not a whole expression: almost always a mistake worth a warning. */
export function partialExpression(s: string): boolean {
  return expressionBody(s) === undefined && s.includes('${');
}
