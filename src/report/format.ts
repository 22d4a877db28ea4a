/** How numbers read in reports: differences in 3 significant digits, values in 6. */
export const sci = (v: number): string => (Number.isFinite(v) ? (v === 0 ? '0' : v.toExponential(2)) : String(v));
export const value = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));
export const seconds = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
export const indexOf = (index: number[]): string => `[${index.join(', ')}]`;
