import type {Command} from './types.ts';

/**
Every subcommand, loaded only when used so that `codexpool status` does not pay for Ink and React.
The order here is the order of `codexpool --help`.
*/
export const commands: Record<string, {summary: string; load: () => Promise<Command>}> = {
	ui: {summary: 'the control center (the default)', load: async () => (await import('./ui.tsx')).command},
	demo: {
		summary: 'the control center on a simulated upstream and workload: no account needed',
		load: async () => (await import('./demo.tsx')).command,
	},
	import: {
		summary: 'import a Codex auth.json, or every account under a CODEX_HOME-style folder',
		load: async () => (await import('./import.ts')).command,
	},
	accounts: {summary: 'list the saved accounts', load: async () => (await import('./accounts.ts')).command},
	login: {
		summary: 'log in to a ChatGPT account (browser, or --device) and add it to the pool',
		load: async () => (await import('./login.ts')).command,
	},
	logout: {
		summary: 'remove an account from the pool (and revoke its token)',
		load: async () => (await import('./logout.ts')).command,
	},
	'codex-config': {
		summary: 'print (or --write into ~/.codex/config.toml) the lines that point Codex CLI at the pool',
		load: async () => (await import('./codex-config.ts')).command,
	},
	serve: {
		summary: 'run the headless daemon: proxy, admin API, scheduler and usage polling',
		load: async () => (await import('./serve.ts')).command,
	},
	status: {
		summary: 'one-shot state of the pool (as the control center shows it), or --json',
		load: async () => (await import('./status.ts')).command,
	},
	pin: {summary: 'send all new sessions to one account', load: async () => (await import('./marks.ts')).pin},
	unpin: {summary: 'undo pin', load: async () => (await import('./marks.ts')).unpin},
	drain: {summary: 'no new sessions for an account', load: async () => (await import('./marks.ts')).drain},
	evict: {summary: 'no traffic for an account', load: async () => (await import('./marks.ts')).evict},
	restore: {summary: 'clear an account’s marks', load: async () => (await import('./marks.ts')).restore},
	cap: {
		summary: 'cap an account at a share of its 5-hour and weekly windows (or --off)',
		load: async () => (await import('./cap.ts')).command,
	},
	strategy: {
		summary: 'show or set the strategy (and sequential’s order and threshold)',
		load: async () => (await import('./strategy.ts')).command,
	},
	scheduler: {
		summary: 'show or change the staggering scheduler (on/off, dry run, policy, accounts, quiet hours)',
		load: async () => (await import('./scheduler.ts')).command,
	},
	keys: {
		summary: 'create, list and revoke pool keys for OpenAI-compatible clients',
		load: async () => (await import('./keys.ts')).command,
	},
	simulate: {
		summary: 'compare strategies, movement and kick schedulers on the interruption model',
		load: async () => (await import('./simulate.ts')).command,
	},
	replay: {
		summary: 'replay your own Codex history: how many accounts, and which strategy',
		load: async () => (await import('./replay.ts')).command,
	},
};
