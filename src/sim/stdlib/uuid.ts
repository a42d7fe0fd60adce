/** uuid. https://cloud.google.com/workflows/docs/reference/stdlib/uuid/overview */
import { type Entry, fn } from './define.ts';

export const UUID: readonly Entry[] = [fn('uuid.generate', [], (_, ctx) => ctx.uuid())];
