// Copies between callers and stored state, so neither can change the other's objects.

/** What the store keeps: a JSON-normalised, deeply frozen copy (frozen so a stray mutation throws). */
export function snapshotRecord<T>(record: T): T {
  return deepFreeze(JSON.parse(JSON.stringify(record)) as T);
}

/** What a caller gets: a fresh, mutable copy. */
export function copyRecord<T>(record: T): T {
  return structuredClone(record);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
