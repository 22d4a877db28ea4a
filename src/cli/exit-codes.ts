/** The exit statuses of `gradproof`, as documented in the README. */
export const EXIT = {
  pass: 0,
  mismatch: 1,
  badInput: 2,
  interrupted: 130,
} as const;
