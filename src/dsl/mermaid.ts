/**
 * A Mermaid `flowchart TD` of a workflow, so a reviewer can look instead of read: one subgraph per
 * (sub)workflow, one node per step, switch conditions as labelled edges, try/except as an "error"
 * edge, loops with their back edge, parallel branches forking and joining, end/return/raise as
 * terminals. Deterministic: node ids derive from step names and positions only.
 */
import { renderValue, type Value } from './expr.ts';
import { paramName, type ForLoop, type Step, type SubworkflowIR } from './steps.ts';

const MAX_LABEL = 72;

/** Label text inside `"..."`: Mermaid entity codes for the characters that would end or confuse it. */
export function mermaidText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const short = flat.length > MAX_LABEL ? `${flat.slice(0, MAX_LABEL - 1)}…` : flat;
  return short.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\|/g, '#124;').replace(/`/g, '#96;');
}

/** A value as short readable text: expressions without their `${}` wrapper, maps by their gist. */
function valueText(value: Value): string {
  return renderedText(renderValue(value));
}

function renderedText(rendered: unknown): string {
  if (typeof rendered === 'string') return rendered.startsWith('${') && rendered.endsWith('}') ? rendered.slice(2, -1) : rendered;
  if (rendered !== null && typeof rendered === 'object' && !Array.isArray(rendered)) {
    const map = rendered as Record<string, unknown>;
    // Errors: `Tag: message`; other maps: their keys.
    if (typeof map.message === 'string') {
      const tags = Array.isArray(map.tags) ? `${map.tags.join(', ')}: ` : '';
      return `${tags}${renderedText(map.message)}`;
    }
    return `{${Object.keys(map).join(', ')}}`;
  }
  return JSON.stringify(rendered);
}

interface Loop {
  readonly head: string;
  readonly exit: string;
}

class Diagram {
  private readonly lines: string[] = [];
  private readonly ids = new Set<string>();
  private readonly stepIds = new Map<string, string>();
  private readonly end: string;

  constructor(private readonly sub: SubworkflowIR) {
    this.end = this.id('end');
    this.indexSteps(sub.steps);
  }

  private id(base: string): string {
    const clean = `${this.sub.name}_${base}`.replace(/[^A-Za-z0-9_]/g, '_');
    let candidate = clean;
    for (let n = 2; this.ids.has(candidate); n++) candidate = `${clean}_${n}`;
    this.ids.add(candidate);
    return candidate;
  }

  /** Step names are unique per subworkflow (checks.ts), so a `next` name resolves to one node. */
  private indexSteps(steps: readonly Step[]): void {
    for (const step of steps) {
      if (!this.stepIds.has(step.name)) this.stepIds.set(step.name, this.id(step.name));
      switch (step.kind) {
        case 'switch':
          step.conditions.forEach((c) => c.steps && this.indexSteps(c.steps));
          break;
        case 'try':
          this.indexSteps(step.steps);
          if (step.except) this.indexSteps(step.except.steps);
          break;
        case 'for':
          this.indexSteps(step.for.steps);
          break;
        case 'parallel':
          step.branches?.forEach((b) => this.indexSteps(b.steps));
          if (step.for) this.indexSteps(step.for.steps);
          break;
        case 'steps':
          this.indexSteps(step.steps);
          break;
        default:
          break;
      }
    }
  }

  private node(id: string, shape: 'box' | 'diamond' | 'stadium' | 'hexagon' | 'subroutine' | 'circle', label: string): void {
    const text = `"${mermaidText(label)}"`;
    const wrapped = { box: `[${text}]`, diamond: `{${text}}`, stadium: `([${text}])`, hexagon: `{{${text}}}`, subroutine: `[[${text}]]`, circle: `((${text}))` }[shape];
    this.lines.push(`    ${id}${wrapped}`);
  }

  private edge(from: string, to: string, label?: string): void {
    this.lines.push(label === undefined ? `    ${from} --> ${to}` : `    ${from} -->|"${mermaidText(label)}"| ${to}`);
  }

  private target(name: string, loop: Loop | undefined): string {
    if (name === 'end') return this.end;
    if (name === 'break' && loop) return loop.exit;
    if (name === 'continue' && loop) return loop.head;
    return this.stepIds.get(name) ?? this.end;
  }

  /** Draws a block in document order; returns the node that enters it (`after` when it is empty). */
  private block(steps: readonly Step[], after: string, loop: Loop | undefined): string {
    const entries = steps.map((step) => this.stepIds.get(step.name) ?? after);
    steps.forEach((step, i) => this.step(step, entries[i + 1] ?? after, loop));
    return entries[0] ?? after;
  }

  private step(step: Step, fallthrough: string, loop: Loop | undefined): string {
    const id = this.stepIds.get(step.name) ?? this.id(step.name);
    const after = 'next' in step && step.next !== undefined ? this.target(step.next, loop) : fallthrough;
    switch (step.kind) {
      case 'assign':
        this.node(id, 'box', `${step.name}: assign ${step.assign.map(([k]) => k).join(', ')}`);
        this.edge(id, after);
        break;
      case 'call':
        this.node(id, 'box', `${step.name}: call ${step.call}${step.result ? ` → ${step.result}` : ''}`);
        this.edge(id, after);
        break;
      case 'switch': {
        this.node(id, 'diamond', step.name);
        let hasDefault = false;
        for (const condition of step.conditions) {
          const label = condition.condition === true ? 'otherwise' : valueText(condition.condition);
          if (condition.condition === true) hasDefault = true;
          const branchAfter = condition.next !== undefined ? this.target(condition.next, loop) : after;
          if (condition.steps !== undefined) {
            this.edge(id, this.block(condition.steps, branchAfter, loop), label);
          } else if (condition.return !== undefined) {
            const done = this.id(`${step.name}_return`);
            this.node(done, 'stadium', `return ${valueText(condition.return)}`);
            this.edge(id, done, label);
          } else if (condition.raise !== undefined) {
            const failed = this.id(`${step.name}_raise`);
            this.node(failed, 'hexagon', `raise ${valueText(condition.raise)}`);
            this.edge(id, failed, label);
          } else {
            this.edge(id, branchAfter, label);
          }
        }
        if (!hasDefault) this.edge(id, after, 'no condition true');
        break;
      }
      case 'try': {
        const retry = step.retry === undefined ? '' : step.retry.kind === 'predefined' ? ` (retry ${step.retry.policy})` : ` (retry ${step.retry.predicate} ×${step.retry.maxRetries})`;
        this.node(id, 'subroutine', `${step.name}: try${retry}`);
        this.edge(id, this.block(step.steps, after, loop));
        if (step.except !== undefined) this.edge(id, this.block(step.except.steps, after, loop), `error as ${step.except.as}`);
        break;
      }
      case 'raise':
        this.node(id, 'hexagon', `${step.name}: raise ${valueText(step.raise)}`);
        break;
      case 'return':
        this.node(id, 'stadium', `${step.name}: return ${valueText(step.return)}`);
        break;
      case 'next':
        this.node(id, 'box', `${step.name}: next ${step.next}`);
        this.edge(id, this.target(step.next, loop));
        break;
      case 'for':
        this.loop(id, step.name, 'for', step.for, after);
        break;
      case 'parallel': {
        if (step.for !== undefined) {
          this.loop(id, step.name, 'parallel for', step.for, after);
          break;
        }
        this.node(id, 'subroutine', `${step.name}: parallel${step.exceptionPolicy ? ` (${step.exceptionPolicy})` : ''}`);
        const join = this.id(`${step.name}_join`);
        this.node(join, 'circle', 'join');
        for (const branch of step.branches ?? []) this.edge(id, this.block(branch.steps, join, undefined), branch.name);
        this.edge(join, after);
        break;
      }
      case 'steps':
        this.node(id, 'box', `${step.name}: steps`);
        this.edge(id, this.block(step.steps, after, loop));
        break;
    }
    return id;
  }

  private loop(id: string, name: string, kind: string, loop: ForLoop, after: string): void {
    const over = loop.in !== undefined ? `in ${valueText(loop.in)}` : `range ${loop.range?.map(valueText).join('..') ?? ''}`;
    this.node(id, 'subroutine', `${name}: ${kind} ${loop.value}${loop.index ? `, ${loop.index}` : ''} ${over}`);
    this.edge(id, this.block(loop.steps, id, { head: id, exit: after }), 'each');
    this.edge(id, after, 'done');
  }

  draw(): string[] {
    const start = this.id('start');
    const params = this.sub.params.map(paramName).join(', ');
    this.node(start, 'stadium', `${this.sub.name}(${params})`);
    this.node(this.end, 'stadium', 'end');
    const first = this.sub.steps[0];
    this.edge(start, first === undefined ? this.end : (this.stepIds.get(first.name) ?? this.end));
    this.block(this.sub.steps, this.end, undefined);
    return [`  subgraph ${this.sub.name}_graph["${mermaidText(this.sub.name)}"]`, '    direction TB', ...this.lines, '  end'];
  }
}

export function renderMermaid(main: SubworkflowIR, subworkflows: readonly SubworkflowIR[]): string {
  const lines = ['flowchart TD'];
  for (const sub of [main, ...subworkflows]) lines.push(...new Diagram(sub).draw());
  return `${lines.join('\n')}\n`;
}
