/**
 * Typed Cloud Workflows expressions (the tree and its text are in expr-tree.ts): an immutable tree that renders to the text inside
 * `${...}` with Workflows' own precedence, and to YAML values (plain data where nothing is computed).
 *
 * https://cloud.google.com/workflows/docs/reference/syntax/expressions
 * https://cloud.google.com/workflows/docs/reference/syntax/datatypes#order-operations
 */
import { type BinaryOperator, DOTTED_NAME, type ExprNode, IDENTIFIER, quoteString, renderExpressionText, variablesInNode } from './expr-tree.ts';

export { type BinaryOperator, type ExprNode, isIdentifier, quoteString, renderExpressionText, variablesInNode } from './expr-tree.ts';

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
export type ExprLike<T> =
  | Expr<T>
  | (T extends string ? string : never)
  | (T extends number ? number : never)
  | (T extends boolean ? boolean : never)
  | (unknown extends T ? Literal | readonly ExprLike<unknown>[] | { readonly [key: string]: ExprLike<unknown> } : never);

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
