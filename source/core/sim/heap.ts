/**
An indexed binary min-heap of small integer ids keyed by a shared Float64Array, with removal by id. The
simulator keeps its running sessions here, keyed by completion time, without allocating per event.
*/
export class IdHeap {
	size = 0;
	#items: Int32Array;
	/** Position of each id in the heap, or -1. */
	#position: Int32Array;
	#keys: Float64Array;

	constructor(keys: Float64Array) {
		this.#keys = keys;
		this.#items = new Int32Array(Math.max(16, keys.length));
		this.#position = new Int32Array(keys.length).fill(-1);
	}

	/** Follow a grown key array (ids keep their keys). */
	resize(keys: Float64Array): void {
		const position = new Int32Array(keys.length).fill(-1);
		position.set(this.#position);
		const items = new Int32Array(keys.length);
		items.set(this.#items.subarray(0, this.size));
		this.#keys = keys;
		this.#position = position;
		this.#items = items;
	}

	/** The id with the smallest key; only when size > 0. */
	top(): number {
		return this.#items[0]!;
	}

	topKey(): number {
		return this.size === 0 ? Number.POSITIVE_INFINITY : this.#keys[this.#items[0]!]!;
	}

	push(id: number): void {
		const at = this.size++;
		this.#items[at] = id;
		this.#position[id] = at;
		this.#up(at);
	}

	remove(id: number): void {
		const at = this.#position[id]!;
		if (at < 0) {
			return;
		}

		this.#position[id] = -1;
		const last = --this.size;
		if (at === last) {
			return;
		}

		const moved = this.#items[last]!;
		this.#items[at] = moved;
		this.#position[moved] = at;
		this.#up(at);
		this.#down(this.#position[moved]!);
	}

	#up(start: number): void {
		const items = this.#items;
		const keys = this.#keys;
		let at = start;
		const id = items[at]!;
		const key = keys[id]!;
		while (at > 0) {
			const parent = (at - 1) >> 1;
			const parentId = items[parent]!;
			if (keys[parentId]! <= key) {
				break;
			}

			items[at] = parentId;
			this.#position[parentId] = at;
			at = parent;
		}

		items[at] = id;
		this.#position[id] = at;
	}

	#down(start: number): void {
		const items = this.#items;
		const keys = this.#keys;
		const size = this.size;
		let at = start;
		const id = items[at]!;
		const key = keys[id]!;
		for (;;) {
			let child = 2 * at + 1;
			if (child >= size) {
				break;
			}

			if (child + 1 < size && keys[items[child + 1]!]! < keys[items[child]!]!) {
				child++;
			}

			const childId = items[child]!;
			if (keys[childId]! >= key) {
				break;
			}

			items[at] = childId;
			this.#position[childId] = at;
			at = child;
		}

		items[at] = id;
		this.#position[id] = at;
	}
}
