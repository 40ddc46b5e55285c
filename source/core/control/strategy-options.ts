import {type NamedAccount, resolveAccount} from '../accounts/resolve.ts';
import type {StrategyOptions} from '../model.ts';

/** `sequential`'s options as the user gives them: account names in order, and the switch threshold. */
export type StrategyOptionsInput = {readonly order?: readonly string[]; readonly threshold?: number};

/**
Checks the options and resolves the order's names to account ids. Throws an Error saying what is wrong:
an unknown or ambiguous name (with the candidates), an account named twice, a threshold outside 1..100.
*/
export function resolveStrategyOptions(
	input: StrategyOptionsInput,
	accounts: readonly NamedAccount[],
): StrategyOptions {
	const options: {order?: string[]; threshold?: number} = {};
	if (input.order !== undefined) {
		const ids = input.order.map((name) => resolveAccount(name, accounts).id);
		const twice = ids.find((id, index) => ids.indexOf(id) !== index);
		if (twice !== undefined) {
			const name = accounts.find((account) => account.id === twice)?.name ?? twice;
			throw new Error(`--order names ${name} twice: give each account once.`);
		}

		options.order = ids;
	}

	if (input.threshold !== undefined) {
		checkThreshold(input.threshold);
		options.threshold = input.threshold;
	}

	return options;
}

/** Throws unless `value` is a used percent a window can reach before it is exhausted (1..100). */
export function checkThreshold(value: number): void {
	if (!Number.isFinite(value) || value < 1 || value > 100) {
		throw new Error(
			`The threshold is a 5-hour used percent from 1 to 100 (e.g. --threshold 95); got ${value}.`,
		);
	}
}

/** Checks options that arrive over the admin API (already ids): the shape and the threshold. */
export function checkStrategyOptions(value: unknown): StrategyOptions {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error('Strategy options are an object: {"order": [ids], "threshold": 95}.');
	}

	const {order, threshold} = value as Record<string, unknown>;
	if (order !== undefined && !(Array.isArray(order) && order.every((id) => typeof id === 'string'))) {
		throw new Error('"order" is a list of account ids.');
	}

	if (threshold !== undefined) {
		if (typeof threshold !== 'number') {
			throw new Error('"threshold" is a number from 1 to 100.');
		}

		checkThreshold(threshold);
	}

	return {
		...(order === undefined ? {} : {order: order as string[]}),
		...(threshold === undefined ? {} : {threshold}),
	};
}
