/**
 * Field checks that export and automation rule configurations share: a display name, and a
 * non-empty list drawn from a fixed vocabulary. Each configuration raises its own typed error.
 */

/** Builds the configuration's own error for `field` (ExportConfigError, AutomationConfigError). */
export type ConfigFault = (field: string, message: string) => Error;

/** A name of 1 to 200 characters, or the fault for field `name`. */
export function checkedName(value: unknown, fault: ConfigFault): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 200) {
    throw fault('name', 'must be a string of 1 to 200 characters');
  }
  return value;
}

/**
 * A non-empty list of `allowed` words, each duplicate kept once; the fault names the field or
 * the first element at fault (`types[2]`).
 *
 * ```ts
 * nonEmptyListOf(['alert', 'alert'], EXPORT_DATA_TYPES, 'types', fault); // ['alert']
 * ```
 */
export function nonEmptyListOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  fault: ConfigFault,
): T[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw fault(field, `must be a non-empty list of ${allowed.join(', ')}`);
  }
  value.forEach((item, i) => {
    if (!allowed.includes(item as T)) {
      throw fault(`${field}[${i}]`, `"${item}" is not one of ${allowed.join(', ')}`);
    }
  });
  return [...new Set(value as T[])];
}
