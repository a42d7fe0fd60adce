import * as assert from 'uvu/assert';
import { UserError } from '../../src/diagnostics.ts';

/** The UserError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function userErrorOf(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}
