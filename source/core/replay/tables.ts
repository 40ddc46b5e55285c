import type {Reading, RequestRecord} from './types.ts';

/*
Requests and readings in columns of typed arrays: a year of heavy use is some 300,000 of each, and as objects
they took four times the memory (bench/replay.ts keeps the whole read under 200 MB this way). Strings
(sessions, accounts) are stored once and referred to by index.
*/

/** Strings by index, each stored once. */
export class Names {
	readonly list: string[] = [];
	readonly #index = new Map<string, number>();

	of(name: string): number {
		let index = this.#index.get(name);
		if (index === undefined) {
			index = this.list.length;
			this.list.push(name);
			this.#index.set(name, index);
		}

		return index;
	}
}

function grown<T extends Float64Array | Int32Array>(old: T, make: (size: number) => T): T {
	const fresh = make(old.length * 2);
	fresh.set(old);
	return fresh;
}

export class RequestTable {
	length = 0;
	readonly sessions = new Names();
	readonly accounts = new Names();
	at = new Float64Array(1024);
	session = new Int32Array(1024);
	account = new Int32Array(1024);
	input = new Float64Array(1024);
	cachedInput = new Float64Array(1024);
	output = new Float64Array(1024);
	reasoningOutput = new Float64Array(1024);

	push(request: RequestRecord): void {
		if (this.length === this.at.length) {
			const f = (size: number) => new Float64Array(size);
			const i = (size: number) => new Int32Array(size);
			this.at = grown(this.at, f);
			this.session = grown(this.session, i);
			this.account = grown(this.account, i);
			this.input = grown(this.input, f);
			this.cachedInput = grown(this.cachedInput, f);
			this.output = grown(this.output, f);
			this.reasoningOutput = grown(this.reasoningOutput, f);
		}

		const r = this.length++;
		this.at[r] = request.at;
		this.session[r] = this.sessions.of(request.session);
		this.account[r] = this.accounts.of(request.account);
		this.input[r] = request.input;
		this.cachedInput[r] = request.cachedInput;
		this.output[r] = request.output;
		this.reasoningOutput[r] = request.reasoningOutput;
	}

	get(r: number): RequestRecord {
		return {
			at: this.at[r]!,
			session: this.sessions.list[this.session[r]!]!,
			account: this.accounts.list[this.account[r]!]!,
			input: this.input[r]!,
			cachedInput: this.cachedInput[r]!,
			output: this.output[r]!,
			reasoningOutput: this.reasoningOutput[r]!,
		};
	}

	toArray(): RequestRecord[] {
		return Array.from({length: this.length}, (_, r) => this.get(r));
	}
}

/** Readings; an absent window is NaN in its columns. */
export class ReadingTable {
	length = 0;
	readonly accounts = new Names();
	at = new Float64Array(1024);
	account = new Int32Array(1024);
	fiveHour = new Float64Array(1024);
	fiveHourResetAt = new Float64Array(1024);
	weekly = new Float64Array(1024);
	weeklyResetAt = new Float64Array(1024);

	push(reading: Reading): void {
		if (this.length === this.at.length) {
			const f = (size: number) => new Float64Array(size);
			this.at = grown(this.at, f);
			this.account = grown(this.account, (size) => new Int32Array(size));
			this.fiveHour = grown(this.fiveHour, f);
			this.fiveHourResetAt = grown(this.fiveHourResetAt, f);
			this.weekly = grown(this.weekly, f);
			this.weeklyResetAt = grown(this.weeklyResetAt, f);
		}

		const r = this.length++;
		this.at[r] = reading.at;
		this.account[r] = this.accounts.of(reading.account);
		this.fiveHour[r] = reading.fiveHour ?? Number.NaN;
		this.fiveHourResetAt[r] = reading.fiveHourResetAt ?? Number.NaN;
		this.weekly[r] = reading.weekly ?? Number.NaN;
		this.weeklyResetAt[r] = reading.weeklyResetAt ?? Number.NaN;
	}

	get(r: number): Reading {
		const value = (column: Float64Array) => (Number.isNaN(column[r]!) ? undefined : column[r]);
		return {
			at: this.at[r]!,
			account: this.accounts.list[this.account[r]!]!,
			fiveHour: value(this.fiveHour),
			fiveHourResetAt: value(this.fiveHourResetAt),
			weekly: value(this.weekly),
			weeklyResetAt: value(this.weeklyResetAt),
		};
	}

	toArray(): Reading[] {
		return Array.from({length: this.length}, (_, r) => this.get(r));
	}
}
