/**
 * Field checks that export and automation rule configurations share: a display name, a
 * non-empty list drawn from a fixed vocabulary, and the fields a change names. Each
 * configuration raises its own typed error.
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

/**
 * Refuses a change that names no field, or a field outside `allowed`. An API body reaches this
 * with the fields its schema does not know already dropped, so a misspelt field reads as none.
 */
export function checkChangedFields(
  patch: Record<string, unknown>,
  allowed: readonly string[],
  fault: ConfigFault,
): void {
  const names = Object.keys(patch);
  if (names.length === 0) {
    throw fault('(body)', `nothing to change: name at least one of ${allowed.join(', ')}`);
  }
  const other = names.find((name) => !allowed.includes(name));
  if (other !== undefined) throw fault(other, `cannot be changed (fields: ${allowed.join(', ')})`);
}
