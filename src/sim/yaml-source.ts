/**
 * Loads workflow YAML into workflow values plus a map from each node's path to its line and
 * column, so that syntax and runtime errors can point into the file. Numbers written with a
 * fraction or exponent (`1.0`, `2e3`) load as doubles, the rest as integers, as Workflows reads them.
 */
import { CORE_SCHEMA, EVENT_ID, NOT_RESOLVED, type Event, defineScalarTag, floatCoreTag, getScalarValue, load, parseEvents, realMapTag } from 'js-yaml';
import { SimSyntaxError } from './errors.ts';
import { Double, type Value, fromJs } from './values.ts';
import { lineColumnLocator, type LineColumn } from '../text-positions.ts';

const doubleTag = defineScalarTag<Double>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: floatCoreTag.implicitFirstChars,
  resolve: (source, isExplicit, tagName) => {
    const v = floatCoreTag.resolve(source, isExplicit, tagName);
    return v === NOT_RESOLVED ? NOT_RESOLVED : new Double(v as number);
  },
  identify: () => false,
});

const WORKFLOW_SCHEMA = CORE_SCHEMA.withTags(doubleTag, realMapTag);

export type Position = LineColumn;

export interface LoadedYaml {
  readonly value: Value;
  /** Path like `/main/steps/0/init` (JSON-pointer segments, unescaped) → position of that node. */
  readonly positions: ReadonlyMap<string, Position>;
}

export function loadWorkflowYaml(text: string, fileName?: string): LoadedYaml {
  let raw: unknown;
  let events: Event[];
  try {
    events = parseEvents(text, fileName ? { filename: fileName } : {});
    raw = load(text, { schema: WORKFLOW_SCHEMA, ...(fileName ? { filename: fileName } : {}) });
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? (e as Error).message;
    throw new SimSyntaxError(`invalid YAML: ${reason}`, { file: fileName, line: mark ? mark.line + 1 : undefined, column: mark ? mark.column + 1 : undefined });
  }
  return { value: fromJs(raw), positions: positionsOf(text, events) };
}

function positionsOf(text: string, events: readonly Event[]): Map<string, Position> {
  const at: (offset: number) => Position = lineColumnLocator(text);
  const positions = new Map<string, Position>();
  let i = 0;
  // Walks one node starting at events[i], recording its position under `path`.
  const walk = (path: string): void => {
    const ev = events[i++]!;
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        positions.set(path, at(ev.valueStart));
        return;
      case EVENT_ID.ALIAS:
        positions.set(path, at(ev.anchorStart));
        return;
      case EVENT_ID.SEQUENCE: {
        positions.set(path, at(ev.start));
        let n = 0;
        while (events[i]!.type !== EVENT_ID.POP) walk(`${path}/${n++}`);
        i++;
        return;
      }
      case EVENT_ID.MAPPING: {
        positions.set(path, at(ev.start));
        while (events[i]!.type !== EVENT_ID.POP) {
          const keyEvent = events[i]!;
          const key = keyEvent.type === EVENT_ID.SCALAR ? getScalarValue(text, keyEvent) : `?${i}`;
          // The key's own position is the best place to point at for "step X" problems.
          walk(`${path}/${key}`);
          const keyPos = positions.get(`${path}/${key}`);
          walk(`${path}/${key}`);
          if (keyPos) positions.set(`${path}/${key}#key`, keyPos);
        }
        i++;
        return;
      }
      default:
        throw new Error(`unexpected YAML event ${ev.type} at a node position`);
    }
  };
  while (i < events.length) {
    const ev = events[i]!;
    if (ev.type === EVENT_ID.DOCUMENT) {
      i++;
      if (events[i] && events[i]!.type !== EVENT_ID.POP) walk('');
      i++; // the document's POP
    } else i++;
  }
  return positions;
}
