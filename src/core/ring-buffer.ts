/**
 * A growable FIFO queue on a power-of-two circular array: O(1) `push` and `shift` at any depth.
 *
 * `Array#shift` is O(n) once V8 leaves its fast path (around 100k items), which turns a queue drained
 * one value at a time into a quadratic one (the cost rule of docs/semantics.md). This one never moves items on `shift`.
 * @internal
 */
export class RingBuffer<T> {
  #items: Array<T | undefined>; // slots; length is always a power of two
  #mask: number; // #items.length - 1, for cheap wrap-around
  #head = 0; // index of the oldest item
  #length = 0; // items currently held

  constructor(capacity = 8) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, capacity)));
    this.#items = new Array<T | undefined>(size);
    this.#mask = size - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length += 1;
  }

  /** Removes and returns the oldest item. The caller checks `length` first: on an empty queue this returns `undefined`. */
  shift(): T {
    const head = this.#head;
    const item = this.#items[head] as T;
    this.#items[head] = undefined; // release the reference for the GC
    this.#head = (head + 1) & this.#mask;
    this.#length -= 1;
    return item;
  }

  /** The oldest item, not removed. The caller checks `length` first. */
  peek(): T {
    return this.#items[this.#head] as T;
  }

  /** Empties the queue, handing each item to `each` in order. Items pushed by `each` are not visited. */
  drain(each: (item: T) => void): void {
    let count = this.#length;
    while (count > 0 && this.#length > 0) {
      count -= 1;
      each(this.shift());
    }
  }

  /** Drops every item at once (O(1): the slots are replaced, not cleared one by one). */
  clear(): void {
    if (this.#length === 0 && this.#items.length <= 8) return;
    this.#items = new Array<T | undefined>(8);
    this.#mask = 7;
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const old = this.#items;
    const size = old.length * 2;
    const items = new Array<T | undefined>(size);
    for (let i = 0; i < this.#length; i += 1) items[i] = old[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#mask = size - 1;
    this.#head = 0;
  }
}
