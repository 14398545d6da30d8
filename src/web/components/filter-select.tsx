/** A list filter: a labelled select whose first choice, "all", sets no filter. */

import { words } from './status';

export function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  /** Values in order; a value's text is the value with underscores read as spaces. */
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">all</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {words(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A filter's value from the address: one of `options`, else none (a hand-edited or stale link
 * then shows everything instead of the API's validation error).
 */
export function choice(value: string | null, options: readonly string[]): string {
  return value !== null && options.includes(value) ? value : '';
}
