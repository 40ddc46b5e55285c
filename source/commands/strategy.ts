import type {NamedAccount} from '../core/accounts/resolve.ts';
import {actOnDaemon, findDaemon} from '../core/control/daemon-client.ts';
import {resolveStrategyOptions} from '../core/control/strategy-options.ts';
import {resolveHome} from '../core/home.ts';
import type {StrategyOptions} from '../core/model.ts';
import {openStore, type Store} from '../core/store/store.ts';
import {getStrategy, strategies} from '../core/strategies/index.ts';
import {DEFAULT_SEQUENTIAL_THRESHOLD} from '../core/strategies/sequential.ts';
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
		const daemon = await findDaemon(home);
		// The daemon serves this very store, so the store has the current settings and accounts either way.
		const store = openStore(home);
		const current = store.getSettings().strategy;
		const accounts = store.listAccounts();
		const hasOptions = cli.flags.order !== undefined || cli.flags.threshold !== undefined;
		if (name === undefined && !hasOptions) {
			io.stdout(listText(current, store.getSettings().strategyOptions, accounts));
			return 0;
		}

		const target = name ?? current;
		try {
			getStrategy(target);
		} catch (error) {
			throw new UsageError((error as Error).message);
		}

		if (hasOptions && target !== 'sequential') {
			throw new UsageError(
				`--order and --threshold are options of sequential, not of ${target}: codexpool strategy sequential --order a,b --threshold 95`,
			);
		}

		const options = hasOptions ? parseOptions(cli.flags.order, cli.flags.threshold, accounts) : undefined;
		if (daemon !== undefined) {
			const result = await actOnDaemon(daemon, async (core) => core.setStrategy(target, options));
			if (!result.ok) {
				io.stderr(`codexpool: ${result.message}\n`);
				return 1;
			}

			io.stdout(
				`${result.message}${optionsText(options, accounts)}\n(Applied by the daemon at ${daemon.url}: new sessions use it now.)\n`,
			);
			return 0;
		}

		saveInStore(store, target, options);
		io.stdout(
			`Strategy: ${target}. ${getStrategy(target).description}${optionsText(options, accounts)}\n(No daemon serves ${home}: saved in the store; it applies when the pool starts.)\n`,
		);
		return 0;
	},
};

function parseOptions(
	order: string | undefined,
	threshold: string | undefined,
	accounts: readonly NamedAccount[],
): StrategyOptions {
	const names = order?.split(',').map((part) => part.trim());
	if (names?.some((part) => part === '')) {
		throw new UsageError(
			`--order takes account names separated by commas (e.g. --order work,personal); got "${order}".`,
		);
	}

	const number = threshold === undefined ? undefined : Number(threshold.trim().replace(/%$/, ''));
	try {
		return resolveStrategyOptions({order: names, threshold: number}, accounts);
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}

function saveInStore(store: Store, name: string, options: StrategyOptions | undefined): void {
	const saved = store.getSettings().strategyOptions;
	store.setSettings({strategy: name, ...(options && {strategyOptions: {...saved, ...options}})});
}

function optionsText(options: StrategyOptions | undefined, accounts: readonly NamedAccount[]): string {
	if (options === undefined) {
		return '';
	}

	const parts: string[] = [];
	if (options.order !== undefined) {
		parts.push(
			`order ${options.order.map((id) => accounts.find((account) => account.id === id)?.name ?? id).join(' → ')}`,
		);
	}

	if (options.threshold !== undefined) {
		parts.push(`move on at ${options.threshold}% of the 5-hour window`);
	}

	return `\nSequential: ${parts.join('; ')}.`;
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
