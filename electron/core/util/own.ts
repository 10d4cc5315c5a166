/**
 * Lookups by untrusted keys (chat ids, staff ids, command words, bridge ids). A plain object
 * answers `constructor`, `toString` or `__proto__` from Object.prototype, so a chat named that
 * would read as "present" (e.g. authorized); and assigning `__proto__` replaces the prototype
 * instead of storing an entry. Reads go through `own`, documents written by such keys are
 * null-prototype `dict`s.
 */

/** The entry stored under `key` itself, never an inherited member. */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A copy of `record` (or an empty one) without a prototype: any key is an ordinary entry. */
export function dict<V>(record: Readonly<Record<string, V>> = {}): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, record);
}
