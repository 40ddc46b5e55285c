import {type AccountCaps, type Marks, noMarks, type StrategyOptions} from '../../source/core/model.ts';
import type {AccountView, PickContext, PickKind} from '../../source/core/strategies/types.ts';

/*
Builders for strategy tests: accounts described in hours relative to a fixed NOW, so each table row reads
like the rule it checks.
*/

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const FIVE_HOURS = 5 * HOUR;
export const WEEK = 7 * DAY;
export const NOW = 1000 * DAY;

/** A window: used percent and hours until its reset, or idle (no reset). */
export type WindowSpec = {used?: number; resetInHours?: number};

export type AccountSpec = {
	plan?: string;
	/** 'none': the account has no five-hour window (weekly-only). */
	five?: WindowSpec | 'none';
	week?: WindowSpec;
	running?: number;
	/** Hours before NOW of the last pick; undefined = never picked. */
	pickedHoursAgo?: number;
	marks?: Partial<Marks>;
	coolingForHours?: number;
	needsLogin?: boolean;
	caps?: AccountCaps;
};

/** One account view as the selection layer would be given it. */
export function account(id: string, spec: AccountSpec = {}): AccountView {
	return {
		id,
		plan: spec.plan ?? 'plus',
		fiveHour: spec.five === 'none' ? undefined : window(spec.five, FIVE_HOURS),
		weekly: window(spec.week, WEEK),
		running: spec.running ?? 0,
		lastPickedAt: spec.pickedHoursAgo === undefined ? undefined : NOW - spec.pickedHoursAgo * HOUR,
		marks: {...noMarks, ...spec.marks},
		coolingUntil: spec.coolingForHours === undefined ? undefined : NOW + spec.coolingForHours * HOUR,
		needsLogin: spec.needsLogin ?? false,
		...(spec.caps === undefined ? {} : {caps: spec.caps}),
	};
}

function window(spec: WindowSpec | undefined, lengthMs: number) {
	return {
		usedPercent: spec?.used ?? 0,
		resetAt: spec?.resetInHours === undefined ? undefined : NOW + spec.resetInHours * HOUR,
		lengthMs,
	};
}

/** A pick context at NOW with a fixed "random" draw. */
export function context(
	options: {kind?: PickKind; random?: number; options?: StrategyOptions; now?: number} = {},
): PickContext {
	const draw = options.random ?? 0;
	return {
		now: options.now ?? NOW,
		kind: options.kind ?? 'new',
		random: () => draw,
		options: options.options,
	};
}

/** One table row: the rule it checks, the pool, the draw/kind/options, and the expected pick. */
export type Row = {
	readonly rule: string;
	readonly accounts: readonly AccountView[];
	readonly context?: Parameters<typeof context>[0];
	readonly expected: string | undefined;
};

/** Registers one node:test case per row, calling the strategy's pick directly. */
export function table(
	test: (name: string, fn: () => void) => unknown,
	equal: (actual: unknown, expected: unknown, message?: string) => void,
	strategy: {
		readonly name: string;
		readonly pick: (a: readonly AccountView[], c: PickContext) => string | undefined;
	},
	rows: readonly Row[],
): void {
	for (const row of rows) {
		test(`${strategy.name}: ${row.rule}`, () => {
			equal(strategy.pick(row.accounts, context(row.context)), row.expected, row.rule);
		});
	}
}
