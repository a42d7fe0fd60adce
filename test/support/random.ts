/** Deterministic PRNG (mulberry32) so randomized tests replay exactly: the sandbox's own. */
export { seededRandom } from '../../src/local/google-shapes.ts';
