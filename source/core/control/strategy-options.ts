import {type NamedAccount, resolveAccount} from '../accounts/resolve.ts';
import type {StrategyOptions} from '../model.ts';

/** Throws unless `value` is a used percent a window can reach before it is exhausted (1..100). */
export function checkThreshold(value: number): void {
	if (!Number.isFinite(value) || value < 1 || value > 100) {
		throw new Error(
			`The threshold is a 5-hour used percent from 1 to 100 (e.g. --threshold 95); got ${value}.`,
		);
	}
}

/**
Checks `sequential`'s options as they arrive from the command line, the TUI or the admin API (any JSON) and
resolves the order's names (name, email, id or unique prefix) to account ids. Throws an Error saying what is
wrong: the shape, an unknown or ambiguous name (with the candidates), an account named twice, a threshold
outside 1..100.
*/
export function checkStrategyOptions(value: unknown, accounts: readonly NamedAccount[]): StrategyOptions {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error('Strategy options are an object: {"order": [names or ids], "threshold": 95}.');
	}

	const {order, threshold} = value as Record<string, unknown>;
	const options: {order?: string[]; threshold?: number} = {};
	if (order !== undefined) {
		if (!(Array.isArray(order) && order.every((name) => typeof name === 'string'))) {
			throw new Error('"order" is a list of account names or ids.');
		}

		const ids = order.map((name) => resolveAccount(name, accounts).id);
		const twice = ids.find((id, index) => ids.indexOf(id) !== index);
		if (twice !== undefined) {
			const name = accounts.find((account) => account.id === twice)?.name ?? twice;
			throw new Error(`The order names ${name} twice: give each account once.`);
		}

		options.order = ids;
	}

	if (threshold !== undefined) {
		if (typeof threshold !== 'number') {
			throw new Error('"threshold" is a number from 1 to 100.');
		}

		checkThreshold(threshold);
		options.threshold = threshold;
	}

	return options;
}

/** The options just set, as a sentence after the strategy's own (empty when there are none). */
export function describeStrategyOptions(
	options: StrategyOptions | undefined,
	accounts: readonly NamedAccount[],
): string {
	const parts: string[] = [];
	if (options?.order !== undefined) {
		const names = options.order.map((id) => accounts.find((account) => account.id === id)?.name ?? id);
		parts.push(`order ${names.join(' → ')}`);
	}

	if (options?.threshold !== undefined) {
		parts.push(`move on at ${options.threshold}% of the 5-hour window`);
	}

	return parts.length === 0 ? '' : ` Sequential: ${parts.join('; ')}.`;
}
