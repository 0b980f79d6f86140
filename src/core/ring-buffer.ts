/** The most slots in one array of a RingBuffer: 32 KiB, well under V8's large-object threshold. */
const SEGMENT = 4096;

/** A full (or, at the tail, filling) array of items that arrived while the circular array was full. */
interface Segment<T> {
  readonly items: Array<T | undefined>; // SEGMENT slots; items at [0, count)
  count: number;
  next: Segment<T> | undefined; // the next newer segment
}

/** The items after those in the circular array, while there are any. */
interface Spill<T> {
  first: Segment<T>; // the oldest segment: it becomes the circular array once that runs empty
  last: Segment<T>; // the segment pushes go to
  count: number; // items in all the segments; never 0 (the spill is dropped instead)
  spare: Array<T | undefined> | undefined; // an emptied SEGMENT-slot array, for the next segment
}

/**
 * A growable FIFO queue on a power-of-two circular array: O(1) `push` and `shift` at any depth.
 *
 * `Array#shift` is O(n) once V8 leaves its fast path (around 100k items), which turns a queue drained
 * one value at a time into a quadratic one (the cost rule of docs/semantics.md). This one never moves items on `shift`.
 *
 * No array it allocates is larger than {@link SEGMENT} slots. V8 puts an array of more than about 16k
 * slots (128 KiB) in large-object space, where every allocation maps fresh pages: on a VM whose page
 * faults are slow, a ring that doubled to 16,384 slots cost about 50 ns for each value pushed into it,
 * ten times the push itself. So the circular array doubles up to `SEGMENT` slots and stops there; later
 * items spill into a list of `SEGMENT`-slot arrays, and when the circular array runs empty, the oldest
 * of those becomes it: past `SEGMENT` items, nothing is copied to grow.
 * @internal
 */
export class RingBuffer<T> {
  #items: Array<T | undefined>; // the circular array holding the oldest items; length a power of two, at most SEGMENT
  #mask: number; // #items.length - 1, for cheap wrap-around
  #head = 0; // index of the oldest item
  #length = 0; // all items: those in #items, then #spill.count more
  #spill: Spill<T> | undefined; // the newer items that did not fit in #items; created when it is full at SEGMENT slots

  constructor(capacity = 8) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the sizing below also gives 8 for a capacity of 8, so this shortcut only skips the log2/pow work.
    const size = capacity === 8 ? 8 : 2 ** Math.ceil(Math.log2(Math.min(SEGMENT, Math.max(2, capacity))));
    // Stryker disable next-line ArrayDeclaration: a slot is only read once an item was written to it, and a full array (the only one #grow doubles or a wrapped run reads to its end) has every slot written, so an array that grows as it is written holds the same items.
    this.#items = new Array<T | undefined>(size);
    this.#mask = size - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    const length = this.#length;
    if (this.#spill === undefined) {
      // Not spilling: every item is in the circular array.
      if (length <= this.#mask) {
        this.#items[(this.#head + length) & this.#mask] = item;
        this.#length = length + 1;
        return;
      }
      // Stryker disable next-line ConditionalExpression,BlockStatement: growing or spilling both keep every item in order; which one runs only decides how large the arrays get, which no result shows.
      if (length < SEGMENT) {
        this.#grow();
        this.#items[length] = item;
        this.#length = length + 1;
        return;
      }
    }
    this.#pushSpill(item);
    this.#length = length + 1;
  }

  /** Removes and returns the oldest item. The caller checks `length` first: on an empty queue this returns `undefined`. */
  shift(): T {
    const head = this.#head;
    const items = this.#items;
    const item = items[head] as T;
    items[head] = undefined; // release the reference for the GC
    this.#head = (head + 1) & this.#mask;
    const length = --this.#length;
    if (this.#spill !== undefined && length === this.#spill.count) this.#emptied();
    return item;
  }

  /**
   * Removes the oldest `count` items and returns them in order, in a new array. The caller checks that
   * `count <= length`. Copies a run of slots at a time instead of shifting item by item.
   */
  take(count: number): T[] {
    const head = this.#head;
    const items = this.#items;
    // Stryker disable next-line BlockStatement: the loop below copies the same items in the same order; this run is its fast path.
    if (count <= this.#ringCount() && head + count <= items.length) {
      // One contiguous run: the usual case (the array restarts at slot 0 whenever it empties by a take).
      const taken = items.slice(head, head + count) as T[];
      items.fill(undefined, head, head + count);
      this.#head = (head + count) & this.#mask;
      this.#length -= count;
      if (this.#ringCount() === 0) this.#emptied();
      return taken;
    }
    // Stryker disable next-line ArrayDeclaration: the loop writes every index from 0 to count - 1 in order, so a preallocated and a growing array end up equal.
    const taken = new Array<T>(count);
    let filled = 0;
    while (filled < count) {
      const from = this.#head;
      const run = Math.min(count - filled, this.#ringCount(), this.#items.length - from);
      const slots = this.#items;
      for (let i = 0; i < run; i += 1) taken[filled + i] = slots[from + i] as T;
      slots.fill(undefined, from, from + run);
      filled += run;
      this.#head = (from + run) & this.#mask;
      this.#length -= run;
      if (this.#ringCount() === 0) this.#emptied();
    }
    return taken;
  }

  /** The oldest item, not removed. The caller checks `length` first. */
  peek(): T {
    return this.#items[this.#head] as T;
  }

  /** Empties the queue, handing each item to `each` in order. Items pushed by `each` are not visited. */
  drain(each: (item: T) => void): void {
    let count = this.length;
    while (count > 0 && this.length > 0) {
      count -= 1;
      each(this.shift());
    }
  }

  /** Drops every item at once (O(1): the slots are replaced, not cleared one by one). */
  clear(): void {
    if (this.#length === 0 && this.#items.length <= 8) return;
    // Stryker disable next-line ArrayDeclaration: a slot is only read once an item was written to it, so an array that grows as it is written holds the same items.
    this.#items = new Array<T | undefined>(8);
    this.#mask = 7;
    this.#head = 0;
    this.#length = 0;
    this.#spill = undefined;
  }

  /** Items in the circular array. */
  #ringCount(): number {
    return this.#spill === undefined ? this.#length : this.#length - this.#spill.count;
  }

  /** The circular array ran empty: restart it at slot 0 (so that the next take is one run), and move to the next segment. */
  #emptied(): void {
    this.#head = 0;
    const spill = this.#spill;
    if (spill === undefined) return;
    const segment = spill.first;
    if (segment.next === undefined) {
      this.#spill = undefined; // the last segment: no more spilling, and no spare kept
    } else {
      spill.first = segment.next;
      spill.count -= segment.count;
      spill.spare = this.#items; // emptied (every slot cleared), and SEGMENT long: the array was full when spilling began
    }
    this.#items = segment.items;
    this.#mask = SEGMENT - 1;
  }

  #pushSpill(item: T): void {
    let spill = this.#spill;
    if (spill === undefined) {
      // Stryker disable next-line ArrayDeclaration: a segment is written from slot 0 up and read only where written, so preallocating its slots changes no result.
      const first: Segment<T> = { items: new Array<T | undefined>(SEGMENT), count: 0, next: undefined };
      this.#spill = spill = { first, last: first, count: 0, spare: undefined };
    } else if (spill.last.count === SEGMENT) {
      // Stryker disable next-line ArrayDeclaration: a segment is written from slot 0 up and read only where written, so preallocating its slots changes no result.
      const segment: Segment<T> = { items: spill.spare ?? new Array<T | undefined>(SEGMENT), count: 0, next: undefined };
      spill.spare = undefined;
      spill.last.next = segment;
      spill.last = segment;
    }
    const last = spill.last;
    last.items[last.count] = item;
    last.count += 1;
    spill.count += 1;
  }

  #grow(): void {
    const old = this.#items;
    const size = old.length * 2;
    // Stryker disable next-line ArrayDeclaration: the copy writes slots 0 to length - 1 and push writes the next, so an array that grows as it is written holds the same items.
    const items = new Array<T | undefined>(size);
    for (let i = 0; i < this.#length; i += 1) items[i] = old[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#mask = size - 1;
    this.#head = 0;
  }
}
