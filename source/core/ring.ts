/**
A bounded list, newest first: the request log and the notices keep the last `capacity` entries only, so a
proxy that runs for weeks holds constant memory.
*/
export class Ring<T> {
	readonly #capacity: number;
	#items: readonly T[] = [];

	constructor(capacity: number) {
		this.#capacity = capacity;
	}

	push(item: T): void {
		const next = [item, ...this.#items];
		if (next.length > this.#capacity) {
			next.length = this.#capacity;
		}

		this.#items = next;
	}

	/** The entries, newest first. The array is replaced on every push, so it can go into a snapshot as is. */
	get items(): readonly T[] {
		return this.#items;
	}
}
