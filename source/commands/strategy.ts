import type {NamedAccount} from '../core/accounts/resolve.ts';
import {resolveHome} from '../core/home.ts';
import type {StrategyOptions} from '../core/model.ts';
import {openStore} from '../core/store/store.ts';
import {strategies} from '../core/strategies/index.ts';
import {DEFAULT_SEQUENTIAL_THRESHOLD} from '../core/strategies/sequential.ts';
import {actOnHome} from './act.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool strategy [NAME] [--order a,b,c] [--threshold 95]

  Without NAME: the current strategy and every strategy with what it does. With NAME: use that strategy for
  new sessions (at once when a daemon serves this home; otherwise from the pool's next start).

  Options
    --order a,b,c     sequential: the accounts in the order to drain them (names, emails or unique prefixes)
    --threshold N     sequential: move on once an account's 5-hour window is N% used (1-100, default 95)
    --home DIR        the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Examples
    $ codexpool strategy
    $ codexpool strategy sequential --order work,personal --threshold 90
`;

export const command: Command = {
	name: 'strategy',
	summary: 'show or set the strategy that picks an account for each new session',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {order: {type: 'string'}, threshold: {type: 'string'}});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const [name, ...extra] = cli.input;
		if (extra.length > 0) {
			throw new UsageError(
				`Give one strategy name (got "${cli.input.join(' ')}"). Usage: codexpool strategy [NAME]`,
			);
		}

		const home = resolveHome(cli.flags.home, io.env);
		const options = parseOptions(cli.flags.order, cli.flags.threshold);
		if (name === undefined && options === undefined) {
			// The daemon serves this very store: the saved settings are the ones in effect.
			const store = openStore(home);
			const settings = store.getSettings();
			io.stdout(listText(settings.strategy, settings.strategyOptions, store.listAccounts()));
			return 0;
		}

		return actOnHome(home, io, async (core) =>
			core.setStrategy(name ?? core.getSnapshot().strategy, options),
		);
	},
};

/** The options as typed: names stay names (the action resolves them, with the candidates when one is wrong). */
function parseOptions(order: string | undefined, threshold: string | undefined): StrategyOptions | undefined {
	if (order === undefined && threshold === undefined) {
		return undefined;
	}

	const names = order?.split(',').map((part) => part.trim());
	if (names?.some((part) => part === '')) {
		throw new UsageError(
			`--order takes account names separated by commas (e.g. --order work,personal); got "${order}".`,
		);
	}

	const number = threshold === undefined ? undefined : Number(threshold.trim().replace(/%$/, ''));
	return {...(names && {order: names}), ...(number !== undefined && {threshold: number})};
}

function listText(
	current: string,
	options: StrategyOptions | undefined,
	accounts: readonly NamedAccount[],
): string {
	const names = Object.keys(strategies);
	const width = Math.max(...names.map((name) => name.length));
	const lines = [`Current strategy: ${current}`, ''];
	for (const strategy of Object.values(strategies)) {
		lines.push(
			`${strategy.name === current ? '*' : ' '} ${strategy.name.padEnd(width)}  ${strategy.description}`,
		);
	}

	if (options !== undefined && (options.order !== undefined || options.threshold !== undefined)) {
		const order = options.order
			?.map((id) => accounts.find((account) => account.id === id)?.name ?? id)
			.join(', ');
		lines.push(
			'',
			`sequential: order ${order ?? 'by id'}, threshold ${options.threshold ?? DEFAULT_SEQUENTIAL_THRESHOLD}%`,
		);
	}

	lines.push('', 'Set one with `codexpool strategy NAME`; compare them with `codexpool simulate`.');
	return `${lines.join('\n')}\n`;
}
