/**
 * `{[key]: value}` when value is defined, else `{}`. Spread it to fill optional fields: under
 * exactOptionalPropertyTypes a field may be absent but never hold undefined.
 */
export function ifDefined<Key extends string, Value>(
  key: Key,
  value: Value | undefined,
): { [K in Key]?: Value } {
  return value === undefined ? {} : ({ [key]: value } as { [K in Key]?: Value });
}
