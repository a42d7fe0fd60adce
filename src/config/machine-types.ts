/**
 * Compute Engine machine types Batch can run on, by family and shape, so a client file asking for
 * "n1-standard-3" (which does not exist) fails at generate time, not when the first job is created.
 * Predefined types only; custom machine types are not supported in client files.
 */
const SIZES = {
  'e2-standard': [2, 4, 8, 16, 32],
  'e2-highmem': [2, 4, 8, 16],
  'e2-highcpu': [2, 4, 8, 16, 32],
  e2: ['micro', 'small', 'medium'],
  'n1-standard': [1, 2, 4, 8, 16, 32, 64, 96],
  'n1-highmem': [2, 4, 8, 16, 32, 64, 96],
  'n1-highcpu': [2, 4, 8, 16, 32, 64, 96],
  'n2-standard': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128],
  'n2-highmem': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128],
  'n2-highcpu': [2, 4, 8, 16, 32, 48, 64, 80, 96],
  'n2d-standard': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224],
  'n2d-highmem': [2, 4, 8, 16, 32, 48, 64, 80, 96],
  'n2d-highcpu': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224],
  'c2-standard': [4, 8, 16, 30, 60],
  'c2d-standard': [2, 4, 8, 16, 32, 56, 112],
  'c2d-highmem': [2, 4, 8, 16, 32, 56, 112],
  'c2d-highcpu': [2, 4, 8, 16, 32, 56, 112],
  'c3-standard': [4, 8, 22, 44, 88, 176],
  'c3-highmem': [4, 8, 22, 44, 88, 176],
  'c3-highcpu': [4, 8, 22, 44, 88, 176],
  't2d-standard': [1, 2, 4, 8, 16, 32, 48, 60],
  'm1-ultramem': [40, 80, 160],
  'm1-megamem': [96],
  'a2-highgpu': ['1g', '2g', '4g', '8g'],
  'a2-megagpu': ['16g'],
  'g2-standard': [4, 8, 12, 16, 24, 32, 48, 96],
} as const satisfies Record<string, readonly (number | string)[]>;

/** Every predefined machine type above, as a type: `defineProduct` refuses "n1-standard-3" at compile time. */
export type MachineType = { [F in keyof typeof SIZES]: `${F}-${(typeof SIZES)[F][number]}` }[keyof typeof SIZES];

const SIZES_BY_SHAPE: Readonly<Record<string, readonly (number | string)[]>> = SIZES;

/** Undefined when the machine type exists; otherwise what is wrong and what exists. */
export function machineTypeProblem(machineType: string): string | undefined {
  const match = /^([a-z0-9]+(?:-[a-z]+)?)-([a-z0-9]+)$/.exec(machineType);
  const shape = match?.[1];
  const size = match?.[2];
  if (shape && size && SIZES_BY_SHAPE[shape]?.map(String).includes(size)) return undefined;
  if (shape && SIZES_BY_SHAPE[shape]) {
    return `"${machineType}" does not exist: ${shape} comes in ${SIZES_BY_SHAPE[shape]!.map((s) => `${shape}-${s}`).join(', ')}`;
  }
  const families = [...new Set(Object.keys(SIZES).map((k) => k.split('-')[0]))].join(', ');
  return `"${machineType}" is not a predefined machine type of a family Batch supports (${families})`;
}
