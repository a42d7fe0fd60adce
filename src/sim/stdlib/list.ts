/** list. https://cloud.google.com/workflows/docs/reference/stdlib/list/overview */
import { type Entry, fn, list, value } from './define.ts';

export const LIST: readonly Entry[] = [fn('list.concat', [list('objs'), value('val')], ([l, v]) => [...l, v]), fn('list.prepend', [list('objs'), value('val')], ([l, v]) => [v, ...l])];
