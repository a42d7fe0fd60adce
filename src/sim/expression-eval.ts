/**
 * Evaluation of parsed expressions. Errors are raised as Google's tagged error values
 * (`TypeError`, `KeyError`, `IndexError`, `ValueError`, `ZeroDivisionError`) carrying the offset of
 * the failing sub-expression, which the interpreter turns into a line and column of the YAML file.
 * Arithmetic follows the documented rules: int op int stays int except `/` (always double),
 * `//` is floor division, `%` takes the sign of the divisor, mixing int and double gives a double,
 * `+` concatenates strings and lists, and a string plus an integer, double or boolean (either way
 * round) is a string (see concatOperand); no other operator converts implicitly.
 */
import { Tag, WorkflowError, errorValue } from './errors.ts';
import type { BinaryOp, Expr } from './expression-parser.ts';
import { Double, type Value, type WfMap, deepEqual, describe, formatDouble, isList, isMap, isNumber, numberValue, typeOf } from './values.ts';

export interface SyncEvalHost {
  lookup(name: string): Value | undefined;
  /** Library functions only: they never block. */
  call(name: string, args: readonly Value[]): Value;
}

export interface EvalHost {
  /** A variable's value, or undefined when no such variable is in scope. */
  lookup(name: string): Value | undefined;
  /** Calls a library function or subworkflow by its dotted name with positional arguments. */
  call(name: string, args: readonly Value[]): Value | Promise<Value>;
}

/** An error raised while evaluating: the offset lets the caller point at the failing part. */
export class EvalError extends WorkflowError {
  constructor(
    value: Value,
    readonly offset: number,
  ) {
    super(value);
  }
}

export function fail(tag: string, message: string, offset: number): never {
  throw new EvalError(errorValue([tag], message), offset);
}

/** A library or subworkflow call an evaluation stops at: its driver makes it and resumes with the result. */
interface PendingCall {
  readonly name: string;
  readonly args: readonly Value[];
}

type Evaluation = Generator<PendingCall, Value, Value>;

/**
 * The one evaluator, written once for both drivers below: it yields at each call, so the sync driver
 * answers there without waiting and the async one awaits, and their semantics cannot drift apart.
 */
function* evaluation(e: Expr, host: { lookup(name: string): Value | undefined }): Evaluation {
  switch (e.kind) {
    case 'lit':
      return e.value;
    case 'var':
      return variable(host, e);
    case 'member':
      return memberOf(yield* evaluation(e.obj, host), e.name, e.pos);
    case 'index':
      return indexOf(yield* evaluation(e.obj, host), yield* evaluation(e.index, host), e.pos);
    case 'call': {
      // `if(condition, a, b)` evaluates only the branch it returns, so `if(x != null, x.f, 0)` is safe.
      if (e.callee === 'if') {
        const [condition, ifTrue, ifFalse] = ifArguments(e);
        return yield* evaluation(ifCondition(yield* evaluation(condition, host), condition.pos) ? ifTrue : ifFalse, host);
      }
      const args: Value[] = [];
      for (const a of e.args) args.push(yield* evaluation(a, host));
      try {
        return yield { name: e.callee, args };
      } catch (err) {
        throw atCall(err, e.pos);
      }
    }
    case 'unary':
      return unary(e.op, yield* evaluation(e.arg, host), e.pos);
    case 'binary': {
      if (e.op === 'and' || e.op === 'or') {
        const l = logicalOperand(e.op, yield* evaluation(e.left, host), 'left', e.pos);
        if (e.op === 'and' ? !l : l) return l;
        return logicalOperand(e.op, yield* evaluation(e.right, host), 'right', e.pos);
      }
      return binary(e.op, yield* evaluation(e.left, host), yield* evaluation(e.right, host), e.pos);
    }
    case 'list': {
      const out: Value[] = [];
      for (const item of e.items) out.push(yield* evaluation(item, host));
      return out;
    }
    case 'map': {
      const m: WfMap = new Map();
      for (const [k, v] of e.entries) {
        const key = yield* evaluation(k, host);
        m.set(mapKey(key, k.pos), yield* evaluation(v, host));
      }
      return m;
    }
  }
}

export async function evaluate(e: Expr, host: EvalHost): Promise<Value> {
  const run = evaluation(e, host);
  let step = run.next();
  while (!step.done) {
    const { name, args } = step.value;
    // The executor calls at once, as `await host.call(...)` would; a throw becomes a rejection.
    step = await new Promise<Value>((resolve) => resolve(host.call(name, args))).then(
      (result) => run.next(result),
      (err: unknown) => run.throw(err),
    );
  }
  return step.value;
}

/**
 * The same evaluation without awaiting, for expressions that call no subworkflow (nearly all). It
 * matters beyond speed: a step whose expressions cannot yield runs atomically, so parallel branches
 * interleave between steps, never halfway through `total: ${total + n}`.
 */
export function evaluateSync(e: Expr, host: SyncEvalHost): Value {
  const run = evaluation(e, host);
  let step = run.next();
  while (!step.done) step = resumed(run, host, step.value);
  return step.value;
}

/** Resumes `run` with the call's result, or with its error thrown in at the call. */
function resumed(run: Evaluation, host: SyncEvalHost, { name, args }: PendingCall): IteratorResult<PendingCall, Value> {
  let result: Value;
  try {
    result = host.call(name, args);
  } catch (err) {
    return run.throw(err);
  }
  return run.next(result);
}

// The checks the evaluation makes.

function variable(host: { lookup(name: string): Value | undefined }, e: Extract<Expr, { kind: 'var' }>): Value {
  const v = host.lookup(e.name);
  if (v === undefined) fail(Tag.KeyError, `variable "${e.name}" is not defined`, e.pos);
  return v;
}

function ifArguments(e: Extract<Expr, { kind: 'call' }>): readonly [Expr, Expr, Expr] {
  if (e.args.length !== 3) fail(Tag.TypeError, `if takes 3 arguments (condition, value if true, value if false), got ${e.args.length}`, e.pos);
  return [e.args[0]!, e.args[1]!, e.args[2]!];
}

function ifCondition(c: Value, pos: number): boolean {
  if (typeof c !== 'boolean') fail(Tag.TypeError, `the condition of if must be a boolean, got ${typeOf(c)} ${describe(c)}`, pos);
  return c;
}

function logicalOperand(op: 'and' | 'or', v: Value, side: 'left' | 'right', pos: number): boolean {
  if (typeof v !== 'boolean') fail(Tag.TypeError, `"${op}" needs booleans, got ${typeOf(v)} ${describe(v)} on the ${side}`, pos);
  return v;
}

/** A map key as Workflows takes it: a string, else a TypeError at `pos`. */
export function mapKey(key: Value, pos: number): string {
  if (typeof key !== 'string') fail(Tag.TypeError, `map keys must be strings, got ${typeOf(key)} ${describe(key)}`, pos);
  return key;
}

/** Library errors have no position of their own: point at the call. */
function atCall(err: unknown, pos: number): unknown {
  return err instanceof WorkflowError && !(err instanceof EvalError) && err.context === undefined ? new EvalError(err.value, pos) : err;
}

function unary(op: Extract<Expr, { kind: 'unary' }>['op'], v: Value, pos: number): Value {
  if (op === 'not') {
    if (typeof v !== 'boolean') fail(Tag.TypeError, `"not" needs a boolean, got ${typeOf(v)} ${describe(v)}`, pos);
    return !v;
  }
  if (typeof v === 'number') return -v;
  if (v instanceof Double) return new Double(-v.value);
  return fail(Tag.TypeError, `unary "-" needs a number, got ${typeOf(v)} ${describe(v)}`, pos);
}

export function memberOf(obj: Value, name: string, pos: number): Value {
  if (!isMap(obj)) fail(Tag.TypeError, `cannot read field "${name}" of ${typeOf(obj)} ${describe(obj)}: only maps have fields`, pos);
  const v = obj.get(name);
  if (v === undefined) fail(Tag.KeyError, `key not found: ${name}`, pos);
  return v;
}

export function indexOf(obj: Value, index: Value, pos: number): Value {
  if (isList(obj)) {
    const i = integralIndex(index);
    if (i === undefined) fail(Tag.TypeError, `list index must be an integer, got ${typeOf(index)} ${describe(index)}`, pos);
    if (i < 0 || i >= obj.length) fail(Tag.IndexError, `list index ${i} out of range (length ${obj.length})`, pos);
    return obj[i] as Value;
  }
  if (isMap(obj)) {
    if (typeof index !== 'string') fail(Tag.TypeError, `map key must be a string, got ${typeOf(index)} ${describe(index)}`, pos);
    const v = obj.get(index);
    if (v === undefined) fail(Tag.KeyError, `key not found: ${index}`, pos);
    return v;
  }
  return fail(Tag.TypeError, `cannot index ${typeOf(obj)} ${describe(obj)}: only lists and maps can be indexed`, pos);
}

export function integralIndex(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Double && Number.isInteger(v.value)) return v.value;
  return undefined;
}

/**
 * How an operand of `+` with a string on the other side reads as text. Google's table of implicit
 * data type conversions for `+` (https://cloud.google.com/workflows/docs/reference/syntax/datatypes,
 * "Implicit data type conversions"): STRING with INTEGER, DOUBLE, STRING or BOOL, in either order,
 * gives STRING; BOOL with INTEGER, DOUBLE or BOOL is an ERROR. The table covers only those four
 * types, so null, lists, maps and bytes stay errors. The page does not spell out the text of a
 * converted number; it is taken to be what string() documents returning for the same value.
 */
export function concatOperand(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Double) return formatDouble(v.value);
  return undefined;
}

function checkedInt(n: number, op: string, pos: number): number {
  if (!Number.isSafeInteger(n)) fail(Tag.ValueError, `integer overflow in "${op}" (this simulator keeps integers within ±2^53)`, pos);
  return n;
}

export function binary(op: BinaryOp, l: Value, r: Value, pos: number): Value {
  switch (op) {
    case '==':
      return deepEqual(l, r);
    case '!=':
      return !deepEqual(l, r);
    case 'in':
      if (isList(r)) return r.some((x) => deepEqual(x, l));
      if (isMap(r)) {
        if (typeof l !== 'string') fail(Tag.TypeError, `"in" on a map needs a string key, got ${typeOf(l)} ${describe(l)}`, pos);
        return r.has(l);
      }
      return fail(Tag.TypeError, `"in" needs a list or a map on the right, got ${typeOf(r)} ${describe(r)}`, pos);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      let c: number;
      if (isNumber(l) && isNumber(r)) c = numberValue(l) - numberValue(r);
      else if (typeof l === 'string' && typeof r === 'string') c = l < r ? -1 : l > r ? 1 : 0;
      else return fail(Tag.TypeError, `cannot compare ${typeOf(l)} ${describe(l)} with ${typeOf(r)} ${describe(r)} using "${op}"`, pos);
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    case '+': {
      if (isList(l) && isList(r)) return [...l, ...r];
      if (typeof l === 'string' || typeof r === 'string') {
        const a = concatOperand(l);
        const b = concatOperand(r);
        if (a !== undefined && b !== undefined) return a + b;
      }
      break;
    }
  }
  if (!isNumber(l) || !isNumber(r)) {
    const hint =
      op === '+' && (typeof l === 'string' || typeof r === 'string')
        ? ' (only an integer, double or boolean converts to a string implicitly; use json.encode_to_string for lists and maps, default() for null)'
        : '';
    return fail(Tag.TypeError, `unsupported operand types for "${op}": ${typeOf(l)} ${describe(l)} and ${typeOf(r)} ${describe(r)}${hint}`, pos);
  }
  const bothInt = typeof l === 'number' && typeof r === 'number';
  const a = numberValue(l);
  const b = numberValue(r);
  switch (op) {
    case '+':
      return bothInt ? checkedInt(a + b, op, pos) : new Double(a + b);
    case '-':
      return bothInt ? checkedInt(a - b, op, pos) : new Double(a - b);
    case '*':
      return bothInt ? checkedInt(a * b, op, pos) : new Double(a * b);
    case '/':
      if (b === 0) fail(Tag.ZeroDivisionError, 'division by zero', pos);
      return new Double(a / b);
    case '//':
      if (b === 0) fail(Tag.ZeroDivisionError, 'integer division by zero', pos);
      return bothInt ? Math.floor(a / b) : new Double(Math.floor(a / b));
    case '%': {
      if (b === 0) fail(Tag.ZeroDivisionError, 'modulo by zero', pos);
      const m = a - b * Math.floor(a / b);
      return bothInt ? m : new Double(m);
    }
    default:
      throw new Error(`unhandled operator ${op}`);
  }
}
