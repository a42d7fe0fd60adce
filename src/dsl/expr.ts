/**
 * Typed Cloud Workflows expressions: an immutable expression tree that renders to the text inside
 * `${...}` with Workflows' own precedence, and to YAML values (plain data where nothing is computed).
 *
 * https://cloud.google.com/workflows/docs/reference/syntax/expressions
 * https://cloud.google.com/workflows/docs/reference/syntax/datatypes#order-operations
 */

export type BinaryOperator =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | '+'
  | '-'
  | '*'
  | '/'
  | '//'
  | '%';

export type ExprNode =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'list'; readonly items: readonly ExprNode[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, ExprNode])[] }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'member'; readonly object: ExprNode; readonly property: string }
  | { readonly kind: 'index'; readonly object: ExprNode; readonly index: ExprNode }
  | { readonly kind: 'function'; readonly name: string; readonly args: readonly ExprNode[] }
  | { readonly kind: 'unary'; readonly operator: 'not' | '-'; readonly operand: ExprNode }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: ExprNode; readonly right: ExprNode };

/**
 * Binding strength, from Google's table (most binding first): `.`/`[]`/calls, `not`, unary `-`,
 * multiplicative, additive, comparison/membership, `and`, `or`. Note `not` binds tighter than `==`,
 * so `not (a == b)` needs its parentheses: the renderer adds them.
 */
const PRECEDENCE = {
  or: 1,
  and: 2,
  comparison: 3,
  additive: 4,
  multiplicative: 5,
  negate: 6,
  not: 7,
  postfix: 8,
  atom: 9,
} as const;

function binaryPrecedence(op: BinaryOperator): number {
  switch (op) {
    case 'or':
      return PRECEDENCE.or;
    case 'and':
      return PRECEDENCE.and;
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'in':
      return PRECEDENCE.comparison;
    case '+':
    case '-':
      return PRECEDENCE.additive;
    case '*':
    case '/':
    case '//':
    case '%':
      return PRECEDENCE.multiplicative;
  }
}

function precedenceOf(node: ExprNode): number {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'number' && (node.value < 0 || Object.is(node.value, -0)) ? PRECEDENCE.negate : PRECEDENCE.atom;
    case 'list':
    case 'map':
    case 'variable':
      return PRECEDENCE.atom;
    case 'member':
    case 'index':
    case 'function':
      return PRECEDENCE.postfix;
    case 'unary':
      return node.operator === 'not' ? PRECEDENCE.not : PRECEDENCE.negate;
    case 'binary':
      return binaryPrecedence(node.operator);
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A string literal inside an expression: double-quoted, JSON escapes (which Workflows accepts). */
export function quoteString(value: string): string {
  return JSON.stringify(value);
}

function renderNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`internal: non-finite number ${value} in a workflow expression`);
  return Object.is(value, -0) ? '0' : String(value);
}

function parenthesise(node: ExprNode, needed: boolean): string {
  const text = renderExpressionText(node);
  return needed ? `(${text})` : text;
}

/** The text that goes between `${` and `}`. */
export function renderExpressionText(node: ExprNode): string {
  switch (node.kind) {
    case 'literal':
      if (node.value === null) return 'null';
      if (typeof node.value === 'string') return quoteString(node.value);
      if (typeof node.value === 'number') return renderNumber(node.value);
      return node.value ? 'true' : 'false';
    case 'list':
      return `[${node.items.map(renderExpressionText).join(', ')}]`;
    case 'map':
      return `{${node.entries.map(([k, v]) => `${quoteString(k)}: ${renderExpressionText(v)}`).join(', ')}}`;
    case 'variable':
      return node.name;
    case 'member': {
      const object = parenthesise(node.object, precedenceOf(node.object) < PRECEDENCE.postfix);
      return isIdentifier(node.property) ? `${object}.${node.property}` : `${object}[${quoteString(node.property)}]`;
    }
    case 'index':
      return `${parenthesise(node.object, precedenceOf(node.object) < PRECEDENCE.postfix)}[${renderExpressionText(node.index)}]`;
    case 'function':
      return `${node.name}(${node.args.map(renderExpressionText).join(', ')})`;
    case 'unary': {
      const own = precedenceOf(node);
      const inner = precedenceOf(node.operand);
      // `-(-x)` keeps its parentheses so it never reads as `--x`.
      const operand = parenthesise(node.operand, inner < own || (node.operator === '-' && inner === PRECEDENCE.negate));
      return node.operator === 'not' ? `not ${operand}` : `-${operand}`;
    }
    case 'binary': {
      const own = binaryPrecedence(node.operator);
      const left = precedenceOf(node.left);
      const right = precedenceOf(node.right);
      // Left-associative: a same-precedence right operand needs parentheses (a - (b - c)). Comparisons
      // do not chain, so a same-precedence operand on either side is parenthesised.
      const leftNeeds = left < own || (own === PRECEDENCE.comparison && left === own);
      const rightNeeds = right <= own;
      return `${parenthesise(node.left, leftNeeds)} ${node.operator} ${parenthesise(node.right, rightNeeds)}`;
    }
  }
}

/** Expression whose value has (TypeScript-side) type T. The type is a compile-time aid only. */
export class Expr<T = unknown> {
  declare readonly __valueType: T;
  readonly node: ExprNode;

  constructor(node: ExprNode) {
    this.node = node;
    Object.freeze(this);
  }

  /** `${...}` text. */
  toString(): string {
    return `\${${renderExpressionText(this.node)}}`;
  }

  /** `object.key` (or `object["key"]` when the key is not an identifier). */
  get<K extends KeyOf<T>>(key: K): Expr<PropertyOf<T, K>> {
    return new Expr({ kind: 'member', object: this.node, property: key });
  }

  /** `list[index]` or `map[key]` with a computed key. */
  at(index: ExprLike<number | string>): Expr<ElementOf<T>> {
    return new Expr({ kind: 'index', object: this.node, index: toNode(index) });
  }

  eq(other: ExprLike<unknown>): Expr<boolean> {
    return binary('==', this, other);
  }
  ne(other: ExprLike<unknown>): Expr<boolean> {
    return binary('!=', this, other);
  }
  lt(other: ExprLike<unknown>): Expr<boolean> {
    return binary('<', this, other);
  }
  le(other: ExprLike<unknown>): Expr<boolean> {
    return binary('<=', this, other);
  }
  gt(other: ExprLike<unknown>): Expr<boolean> {
    return binary('>', this, other);
  }
  ge(other: ExprLike<unknown>): Expr<boolean> {
    return binary('>=', this, other);
  }
  /** `this in container` (key of a map, element of a list). */
  in(container: ExprLike<unknown>): Expr<boolean> {
    return binary('in', this, container);
  }
  and(other: ExprLike<boolean>): Expr<boolean> {
    return binary('and', this, other);
  }
  or(other: ExprLike<boolean>): Expr<boolean> {
    return binary('or', this, other);
  }
  not(): Expr<boolean> {
    return new Expr({ kind: 'unary', operator: 'not', operand: this.node });
  }
  negate(): Expr<number> {
    return new Expr({ kind: 'unary', operator: '-', operand: this.node });
  }
  /** `+`: string concatenation or addition, as in Workflows. */
  plus(other: ExprLike<unknown>): Expr<T extends number ? number : T extends string ? string : any> {
    return binary('+', this, other);
  }
  minus(other: ExprLike<number>): Expr<number> {
    return binary('-', this, other);
  }
  times(other: ExprLike<number>): Expr<number> {
    return binary('*', this, other);
  }
  dividedBy(other: ExprLike<number>): Expr<number> {
    return binary('/', this, other);
  }
  floorDividedBy(other: ExprLike<number>): Expr<number> {
    return binary('//', this, other);
  }
  modulo(other: ExprLike<number>): Expr<number> {
    return binary('%', this, other);
  }
}

type AnyIsh<T> = 0 extends 1 & T ? true : false;
export type KeyOf<T> = AnyIsh<T> extends true ? string : unknown extends T ? string : T extends object ? Extract<keyof T, string> : string;
export type PropertyOf<T, K> = AnyIsh<T> extends true ? any : unknown extends T ? any : K extends keyof T ? T[K] : any;
export type ElementOf<T> = AnyIsh<T> extends true ? any : T extends readonly (infer E)[] ? E : any;

/** Plain value or expression: what every argument position accepts. */
export type Literal = string | number | boolean | null;
export type ExprLike<T> = Expr<T> | (T extends string ? string : never) | (T extends number ? number : never) | (T extends boolean ? boolean : never) | (unknown extends T ? Literal | readonly ExprLike<unknown>[] | { readonly [key: string]: ExprLike<unknown> } : never);

/** A YAML value position: data with expressions at the leaves. */
export type Value = Expr<unknown> | Literal | readonly Value[] | { readonly [key: string]: Value };

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Expr);
}

/** Any value (plain data or expression) as an expression node. */
export function toNode(value: ExprLike<unknown> | Value): ExprNode {
  if (value instanceof Expr) return value.node;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'literal', value };
  }
  if (Array.isArray(value)) return { kind: 'list', items: value.map((item) => toNode(item as Value)) };
  if (isPlainObject(value)) {
    return { kind: 'map', entries: Object.entries(value).map(([k, v]) => [k, toNode(v as Value)] as const) };
  }
  throw new Error(`internal: ${typeof value} is not a workflow value`);
}

function binary<T>(operator: BinaryOperator, left: ExprLike<unknown>, right: ExprLike<unknown>): Expr<T> {
  return new Expr({ kind: 'binary', operator, left: toNode(left), right: toNode(right) });
}

/**
 * A string that would be read as an expression is written as an expression that evaluates to
 * that string: `${"${not evaluated}"}`. Workflows evaluates a value that starts with `${`; wrapping
 * the text in a quoted string literal is the one spelling whose meaning is certain, and it is also
 * applied when `${` appears later in the string, so no reading of the source can evaluate it.
 */
export function renderString(value: string): string {
  return value.includes('${') ? `\${${quoteString(value)}}` : value;
}

/** Renders a value for the YAML document: plain data stays plain, computed parts become `${...}`. */
export function renderValue(value: Value): unknown {
  if (value instanceof Expr) return renderNodeValue(value.node);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`internal: non-finite number ${value}`);
    return value;
  }
  if (typeof value === 'string') return renderString(value);
  if (Array.isArray(value)) return value.map((item) => renderValue(item as Value));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v as Value)]));
  throw new Error(`internal: ${typeof value} is not a workflow value`);
}

function renderNodeValue(node: ExprNode): unknown {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string' ? renderString(node.value) : node.value;
    case 'list':
      return node.items.map(renderNodeValue);
    case 'map':
      return Object.fromEntries(node.entries.map(([k, v]) => [k, renderNodeValue(v)]));
    default:
      return `\${${renderExpressionText(node)}}`;
  }
}

/** Every variable a value tree reads: the roots of member/index chains in its expressions. */
export function variablesInValue(value: Value | undefined, into: Set<string> = new Set()): Set<string> {
  if (value === undefined || value === null || typeof value !== 'object') return into;
  if (value instanceof Expr) return variablesInNode(value.node, into);
  for (const item of Array.isArray(value) ? value : Object.values(value)) variablesInValue(item as Value, into);
  return into;
}

export function variablesInNode(node: ExprNode, into: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'literal':
      break;
    case 'list':
      node.items.forEach((item) => variablesInNode(item, into));
      break;
    case 'map':
      node.entries.forEach(([, item]) => variablesInNode(item, into));
      break;
    case 'variable':
      into.add(node.name);
      break;
    case 'member':
      variablesInNode(node.object, into);
      break;
    case 'index':
      variablesInNode(node.object, into);
      variablesInNode(node.index, into);
      break;
    case 'function':
      node.args.forEach((arg) => variablesInNode(arg, into));
      break;
    case 'unary':
      variablesInNode(node.operand, into);
      break;
    case 'binary':
      variablesInNode(node.left, into);
      variablesInNode(node.right, into);
      break;
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Constructors

/** A variable read. Prefer the typed `v.name` handed to step builders, which only offers assigned names. */
export function variable<T = any>(name: string): Expr<T> {
  if (!IDENTIFIER.test(name)) throw new Error(`internal: "${name}" is not a variable name`);
  return new Expr({ kind: 'variable', name });
}

export function literal<T extends Literal>(value: T): Expr<T extends string ? string : T extends number ? number : T extends boolean ? boolean : null> {
  return new Expr({ kind: 'literal', value });
}

export function list<T = any>(items: readonly ExprLike<unknown>[]): Expr<T[]> {
  return new Expr({ kind: 'list', items: items.map(toNode) });
}

export function map<T = any>(entries: { readonly [key: string]: ExprLike<unknown> }): Expr<T> {
  return new Expr({ kind: 'map', entries: Object.entries(entries).map(([k, v]) => [k, toNode(v)] as const) });
}

/** A standard-library (or subworkflow) function called inside an expression. */
export function fn<T = any>(name: string, ...args: readonly ExprLike<unknown>[]): Expr<T> {
  if (!DOTTED_NAME.test(name)) throw new Error(`internal: "${name}" is not a function name`);
  return new Expr({ kind: 'function', name, args: args.map(toNode) });
}

/**
 * Concatenates strings and expressions with `+`, left to right: concat('gs://', bucket, '/x').
 * Nested concatenations are flattened and adjacent string literals merged, which keeps the
 * meaning (`+` is left-associative and these operands are strings) and the source short.
 */
export function concat(...parts: readonly ExprLike<string | number>[]): Expr<string> {
  const operands: ExprNode[] = [];
  const flatten = (node: ExprNode): void => {
    if (node.kind === 'binary' && node.operator === '+') {
      flatten(node.left);
      operands.push(node.right);
    } else {
      operands.push(node);
    }
  };
  parts.forEach((part, i) => (i === 0 ? flatten(toNode(part)) : operands.push(toNode(part))));
  const merged: ExprNode[] = [];
  for (const operand of operands) {
    const last = merged[merged.length - 1];
    if (last?.kind === 'literal' && typeof last.value === 'string' && operand.kind === 'literal' && typeof operand.value === 'string') {
      merged[merged.length - 1] = { kind: 'literal', value: last.value + operand.value };
    } else {
      merged.push(operand);
    }
  }
  const [first, ...rest] = merged;
  if (first === undefined) return literal('');
  return new Expr(rest.reduce<ExprNode>((left, right) => ({ kind: 'binary', operator: '+', left, right }), first));
}

export const not = (e: ExprLike<boolean>): Expr<boolean> => new Expr({ kind: 'unary', operator: 'not', operand: toNode(e) });
export const and = (first: ExprLike<boolean>, ...rest: ExprLike<boolean>[]): Expr<boolean> =>
  rest.reduce<Expr<boolean>>((acc, e) => binary('and', acc, e), first instanceof Expr ? first : literal(first as boolean));
export const or = (first: ExprLike<boolean>, ...rest: ExprLike<boolean>[]): Expr<boolean> =>
  rest.reduce<Expr<boolean>>((acc, e) => binary('or', acc, e), first instanceof Expr ? first : literal(first as boolean));
