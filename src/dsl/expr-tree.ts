/**
 * The expression tree and its text: the node types, Workflows' operator precedence, and the text
 * between `${` and `}` with only the parentheses the precedence needs; the variables a tree reads.
 * https://cloud.google.com/workflows/docs/reference/syntax/datatypes#order-operations
 */

export type BinaryOperator = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '//' | '%';

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

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

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

export function variablesInNode(node: ExprNode, into: Set<string> = new Set()): Set<string> {
  if (node.kind === 'variable') into.add(node.name);
  for (const child of childrenOf(node)) variablesInNode(child, into);
  return into;
}

/** The expressions directly inside `node`, in source order. */
function childrenOf(node: ExprNode): readonly ExprNode[] {
  switch (node.kind) {
    case 'literal':
    case 'variable':
      return [];
    case 'list':
      return node.items;
    case 'map':
      return node.entries.map(([, item]) => item);
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'function':
      return node.args;
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
  }
}
