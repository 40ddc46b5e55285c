/**
A bounded list, newest first: the request log and the notices keep the last `capacity` entries only, so a
proxy that runs for weeks holds constant memory. A push costs one slot (the proxy pushes on every request);
the newest-first array is built only when read, once per change.
*/
export class Ring<T> {
	readonly #capacity: number;
	/** Slots in push order, wrapping around at `#capacity`. */
	readonly #slots: T[] = [];
	/** Where the next push goes once the slots are full. */
	#next = 0;
	/** The newest-first array handed out since the last push. */
	#view: readonly T[] | undefined = [];

	constructor(capacity: number) {
		this.#capacity = capacity;
	}

	push(item: T): void {
		if (this.#slots.length < this.#capacity) {
			this.#slots.push(item);
		} else {
			this.#slots[this.#next] = item;
			this.#next = (this.#next + 1) % this.#capacity;
		}

		this.#view = undefined;
	}

	/** The entries, newest first. A new array after every push, never changed after, so it can go into a snapshot as is. */
	get items(): readonly T[] {
		if (this.#view === undefined) {
			const count = this.#slots.length;
			const newest = (this.#next - 1 + count) % count;
			this.#view = Array.from({length: count}, (_, age) => this.#slots[(newest - age + count) % count]!);
		}

		return this.#view;
	}
}
