/**
 * A Map and a Set that keep at most `capacity` entries: adding a new one past that forgets the
 * oldest (insertion order; re-setting a present key does not move it). For dedup ids, recent
 * lookups and the like, which must not grow without end in a long-running process.
 */

export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly capacity: number) {
    super();
    if (!(capacity >= 1)) throw new RangeError(`BoundedMap capacity must be at least 1, got ${capacity}`);
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.capacity) this.delete(this.keys().next().value as K);
    return this;
  }
}

export class BoundedSet<T> extends Set<T> {
  constructor(readonly capacity: number) {
    super();
    if (!(capacity >= 1)) throw new RangeError(`BoundedSet capacity must be at least 1, got ${capacity}`);
  }

  override add(value: T): this {
    super.add(value);
    if (this.size > this.capacity) this.delete(this.values().next().value as T);
    return this;
  }
}
