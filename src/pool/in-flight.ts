/**
 * A worker's tasks in flight, in the order they were sent, which is the order it runs them:
 * most leave from the front. Adding and removing are O(1) (a Set costs more per task, and
 * tiny tasks go by the hundred thousand a second).
 */
export interface Placed {
  /** Where in its worker's InFlight the task is (-1: in none). */
  position: number;
}

export class InFlight<T extends Placed> {
  #items: (T | null)[] = [];
  #head = 0;
  size = 0;

  add(item: T): void {
    item.position = this.#items.length;
    this.#items.push(item);
    this.size++;
  }

  delete(item: T): void {
    const items = this.#items;
    const at = item.position;
    if (at < this.#head || items[at] !== item) return;
    items[at] = null;
    item.position = -1;
    this.size--;
    if (this.size === 0) {
      items.length = 0;
      this.#head = 0;
      return;
    }
    while (items[this.#head] === null) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > items.length) this.#compact();
  }

  /** Oldest first: a copy, safe to change the set while going through it. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item !== null) out.push(item);
    }
    return out;
  }

  #compact(): void {
    const live = this.toArray();
    for (let i = 0; i < live.length; i++) live[i].position = i;
    this.#items = live;
    this.#head = 0;
  }
}
