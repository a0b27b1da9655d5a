// Own-key lookups: a name from input ("constructor", "__proto__", "toString") never finds Object.prototype's members.

/** The value stored under `key` in `record` itself, or undefined; inherited members never match. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
