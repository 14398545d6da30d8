/** Small text charts for the console: bars and sparklines made of block characters. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A horizontal bar of `width` cells filled to `ratio` (0..1). */
export function bar(ratio: number, width = 20): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(ratio) ? ratio : 0));
  const full = Math.round(clamped * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** A sparkline of the values, scaled between `min` and `max` (default: the data's range). */
export function sparkline(
  values: number[],
  min = values.reduce((a, b) => Math.min(a, b), Infinity),
  max = values.reduce((a, b) => Math.max(a, b), -Infinity),
): string {
  if (values.length === 0) return '';
  const span = max - min || 1;
  return values
    .map((v) => BLOCKS[Math.max(0, Math.min(7, Math.round(((v - min) / span) * 7)))])
    .join('');
}
