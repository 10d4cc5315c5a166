/**
 * Remembers ids for a while, in bounded memory: used to drop redelivered messages and repeated
 * events. Insertion order equals time order, so expiry only looks at the oldest.
 *
 * Compact, because a bridge keeps tens of thousands of them: an id is remembered as a 64-bit
 * hash (two independent 32-bit ones) in typed arrays that grow with use, ~17 bytes an id (25
 * with a time to live). As strings in a Map they cost ~150: the string, an entry, and V8's
 * table, which keeps the slots of forgotten ids until it is full and so holds room for two to
 * three times the ids it keeps. A new id is taken for a remembered one only if both hashes
 * match one of them: with 20,000 remembered, about once in 10^15 ids.
 */

const MIN_SLOTS = 64;

export class RecentIds {
  /** A ring of remembered ids in insertion order: entry `seq` sits in slot `seq % capacity`. */
  private hashA = new Uint32Array(MIN_SLOTS);
  private hashB = new Uint32Array(MIN_SLOTS);
  private alive = new Uint8Array(MIN_SLOTS);
  /** When each was added; only with a finite time to live. */
  private times: Float64Array | undefined;
  /** Open addressing by hashA, linear probing: slot + 1, or 0 where empty. */
  private index = new Int32Array(MIN_SLOTS * 2);
  private head = 0;
  private tail = 0;
  private live = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxSize: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxSize >= 1)) throw new RangeError(`RecentIds maxSize must be at least 1, got ${maxSize}`);
    if (Number.isFinite(ttlMs)) this.times = new Float64Array(MIN_SLOTS);
  }

  has(id: string): boolean {
    this.expire();
    const [a, b] = hashes(id);
    return this.find(a, b) >= 0;
  }

  /** Records `id`; returns false if it was already there (a duplicate). */
  add(id: string): boolean {
    this.expire();
    const [a, b] = hashes(id);
    if (this.find(a, b) >= 0) return false;
    if (this.live >= this.maxSize) this.dropOldest();
    if (this.tail - this.head === this.capacity) this.resize();
    const slot = this.tail % this.capacity;
    this.tail += 1;
    this.hashA[slot] = a;
    this.hashB[slot] = b;
    this.alive[slot] = 1;
    if (this.times) this.times[slot] = this.now();
    this.live += 1;
    this.insert(slot);
    return true;
  }

  /** Forgets `id` (e.g. its processing failed and a redelivery must be accepted). */
  delete(id: string): void {
    const [a, b] = hashes(id);
    const at = this.find(a, b);
    if (at < 0) return;
    this.forget(at);
  }

  get size(): number {
    return this.live;
  }

  private get capacity(): number {
    return this.hashA.length;
  }

  private expire(): void {
    const times = this.times;
    if (!times) return;
    const cutoff = this.now() - this.ttlMs;
    while (this.head < this.tail) {
      const slot = this.head % this.capacity;
      if (this.alive[slot]) {
        if ((times[slot] as number) > cutoff) return;
        this.forget(this.locate(slot));
      }
      this.head += 1;
    }
  }

  private dropOldest(): void {
    while (this.head < this.tail) {
      const slot = this.head % this.capacity;
      this.head += 1;
      if (this.alive[slot]) return this.forget(this.locate(slot));
    }
  }

  /** The ring is full: twice the room (up to what `maxSize` needs), or the same without forgotten ids. */
  private resize(): void {
    const grown = this.live * 2 > this.capacity ? Math.min(this.capacity * 2, Math.max(this.maxSize, MIN_SLOTS)) : this.capacity;
    const capacity = Math.max(grown, this.live + 1);
    const [hashA, hashB, alive] = [new Uint32Array(capacity), new Uint32Array(capacity), new Uint8Array(capacity)];
    const [oldTimes, times] = [this.times, this.times ? new Float64Array(capacity) : undefined];
    let n = 0;
    for (let seq = this.head; seq < this.tail; seq++) {
      const slot = seq % this.capacity;
      if (!this.alive[slot]) continue;
      hashA[n] = this.hashA[slot] as number;
      hashB[n] = this.hashB[slot] as number;
      alive[n] = 1;
      if (times && oldTimes) times[n] = oldTimes[slot] as number;
      n += 1;
    }
    [this.hashA, this.hashB, this.alive, this.times] = [hashA, hashB, alive, times];
    this.head = 0;
    this.tail = n;
    let size = MIN_SLOTS * 2;
    while (size < capacity * 1.5) size *= 2;
    this.index = new Int32Array(size);
    for (let slot = 0; slot < n; slot++) this.insert(slot);
  }

  /** The index position holding an id with these hashes, or -1. */
  private find(a: number, b: number): number {
    const mask = this.index.length - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const entry = this.index[i] as number;
      if (entry === 0) return -1;
      if (this.hashA[entry - 1] === a && this.hashB[entry - 1] === b) return i;
    }
  }

  /** The index position of ring slot `slot` (which is alive, hence indexed). */
  private locate(slot: number): number {
    const mask = this.index.length - 1;
    for (let i = (this.hashA[slot] as number) & mask; ; i = (i + 1) & mask) {
      if (this.index[i] === slot + 1) return i;
    }
  }

  private insert(slot: number): void {
    const mask = this.index.length - 1;
    let i = (this.hashA[slot] as number) & mask;
    while (this.index[i] !== 0) i = (i + 1) & mask;
    this.index[i] = slot + 1;
  }

  /** Forgets the id at index position `at`, moving later ids of its probe run back (no tombstones). */
  private forget(at: number): void {
    const index = this.index;
    const mask = index.length - 1;
    this.alive[(index[at] as number) - 1] = 0;
    this.live -= 1;
    let hole = at;
    for (let i = (hole + 1) & mask; index[i] !== 0; i = (i + 1) & mask) {
      const home = (this.hashA[(index[i] as number) - 1] as number) & mask;
      // An entry may fill the hole unless its home lies cyclically after the hole, up to where it sits.
      const stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (stays) continue;
      index[hole] = index[i] as number;
      hole = i;
    }
    index[hole] = 0;
  }
}

/** Two 32-bit hashes of `id`, from different multipliers, each finished by murmur3's mixer. */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [mix(a), mix(b)];
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
