import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {CodexAuthJson, SimulatedAccount, SimulatedAccountInput, TokenSet} from './accounts.ts';
import {createControlRoute} from './control.ts';
import {issuingAccount} from './encrypted.ts';
import type {FaultsApi} from './faults.ts';
import type {LoggedRequest} from './http.ts';
import {createIssuerState} from './oauth.ts';
import {reportWindow, setWindowPercent, type WindowReport} from './quota.ts';
import {createRequestHandler, createUpgradeHandler, type Route} from './router.ts';
import {createUpstreamState, type MutableSettings, type SimulatedUpstreamOptions} from './state.ts';

/** A public view of one simulated account. */
export type SimulatedAccountView = {
	readonly name: string;
	readonly accountId: string;
	readonly email: string;
	readonly plan: string;
	/** The tokens most recently issued for it (what a fresh auth.json holds). */
	readonly tokens: TokenSet;
};

/** Both windows as the backend would report them now; `fiveHour` is undefined for weekly-only accounts. */
export type SimulatedQuota = {
	readonly fiveHour: WindowReport | undefined;
	readonly weekly: WindowReport;
};

/** The accounts API of a running simulated upstream. Names are the names given to `add`. */
export type SimulatedAccountsApi = {
	add: (input: SimulatedAccountInput) => SimulatedAccountView;
	get: (name: string) => SimulatedAccountView;
	list: () => SimulatedAccountView[];
	/** A Codex-style auth.json with the account's current tokens. */
	authJson: (name: string) => CodexAuthJson;
	/**
	A new, independent login (fresh id/access/refresh tokens, now the account's current ones), as a second
	`codex login` would give. `accessTokenLifetimeMs` applies to this login's access token only (refreshes get
	the account's lifetime), e.g. to make a client refresh proactively once.
	*/
	login: (name: string, options?: {accessTokenLifetimeMs?: number}) => TokenSet;
	quota: (name: string) => SimulatedQuota;
	/** Sets used percents directly; above 0 starts an idle window (its reset is now + its length). */
	setUsedPercent: (name: string, percents: {fiveHour?: number; weekly?: number}) => void;
	/** Uses up the five-hour window (or the weekly one), so the next request gets 429. */
	exhaust: (name: string, window?: 'five-hour' | 'weekly') => void;
	/** Every access token issued so far for the account is expired from now on. */
	expireAccessTokens: (name: string) => void;
	/** Revokes a token (as `/oauth/revoke` would). */
	revoke: (token: string) => void;
	/** The account the next browser or device login signs in as (default: the first account added). */
	setLoginAccount: (name: string) => void;
};

/** How often refresh tokens were presented to `/oauth/token`. */
export type RefreshTokenStats = {
	/** Uses per refresh token issued (0 for tokens never presented). */
	readonly uses: ReadonlyMap<string, number>;
	/** Tokens presented more than once: should stay empty. */
	readonly reused: readonly string[];
	/** Presentations of tokens this issuer never issued. */
	readonly unknown: number;
};

export type SimulatedUpstream = {
	/** `http://127.0.0.1:PORT`; the issuer lives here too (`/oauth/token`, ...). */
	readonly url: string;
	/** `url + '/backend-api'` (what `CODEXPOOL_UPSTREAM` takes). */
	readonly backendUrl: string;
	/** Same as `url` (what `CODEXPOOL_AUTH_ISSUER` takes). */
	readonly issuerUrl: string;
	/** `url + '/oauth/token'` (what `CODEX_REFRESH_TOKEN_URL_OVERRIDE` takes). */
	readonly tokenUrl: string;
	readonly accounts: SimulatedAccountsApi;
	readonly faults: FaultsApi;
	/** Requests received, oldest first (bounded by `logLimit`). */
	readonly log: readonly LoggedRequest[];
	/** Empties `log`. */
	clearLog: () => void;
	refreshTokens: () => RefreshTokenStats;
	/** Name of the account that issued an `encrypted_content` value; undefined when none of ours did. */
	issuerOf: (encryptedContent: string) => string | undefined;
	/** Behaviour knobs that may change while running (delta count, chunks, strict, ...). */
	readonly settings: MutableSettings;
	close: () => Promise<void>;
};

function view(account: SimulatedAccount): SimulatedAccountView {
	const {accountId, email, plan} = account.identity;
	return {name: account.name, accountId, email, plan, tokens: account.tokens};
}

/** Starts the simulated ChatGPT backend and OAuth issuer on 127.0.0.1. */
export async function startSimulatedUpstream(
	options: SimulatedUpstreamOptions = {},
): Promise<SimulatedUpstream> {
	const state = createUpstreamState(options);
	const issuer = createIssuerState();
	const control: {route: Route | undefined} = {route: undefined};
	const server = createServer({keepAliveTimeout: 30_000}, createRequestHandler(state, issuer, control));
	server.on('upgrade', createUpgradeHandler(state));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	const {port} = server.address() as AddressInfo;
	state.url = `http://127.0.0.1:${port}`;
	const {registry} = state;

	const find = (name: string) => {
		const account = registry.byName.get(name) ?? registry.byAccountId.get(name);
		if (!account) {
			throw new Error(
				`The simulated upstream has no account "${name}" (has: ${[...registry.byName.keys()].join(', ')}).`,
			);
		}

		return account;
	};

	const accounts: SimulatedAccountsApi = {
		add: (input) => view(registry.add(input)),
		get: (name) => view(find(name)),
		list: () => [...registry.byName.values()].map(view),
		authJson: (name) => registry.authJson(find(name)),
		login: (name, loginOptions) => registry.issue(find(name), loginOptions?.accessTokenLifetimeMs),
		quota(name) {
			const {windows} = find(name);
			const now = state.clock.now();
			const idle = state.settings.idleUsedPercent;
			return {
				fiveHour: windows.fiveHour ? reportWindow(windows.fiveHour, now, idle) : undefined,
				weekly: reportWindow(windows.weekly, now, idle),
			};
		},
		setUsedPercent(name, percents) {
			const {windows} = find(name);
			const now = state.clock.now();
			if (percents.fiveHour !== undefined && windows.fiveHour) {
				setWindowPercent(windows.fiveHour, percents.fiveHour, now);
			}

			if (percents.weekly !== undefined) {
				setWindowPercent(windows.weekly, percents.weekly, now);
			}
		},
		exhaust(name, window = 'five-hour') {
			const {windows} = find(name);
			setWindowPercent(
				window === 'weekly' || !windows.fiveHour ? windows.weekly : windows.fiveHour,
				100,
				state.clock.now(),
			);
		},
		expireAccessTokens: (name) => registry.expireAccessTokens(find(name)),
		revoke: (token) => {
			registry.revoke(token);
		},
		setLoginAccount(name) {
			issuer.loginAccount = find(name).name;
		},
	};

	const upstream: SimulatedUpstream = {
		url: state.url,
		backendUrl: `${state.url}/backend-api`,
		issuerUrl: state.url,
		tokenUrl: `${state.url}/oauth/token`,
		accounts,
		faults: state.faults,
		log: state.log,
		clearLog() {
			state.log.length = 0;
		},
		refreshTokens() {
			const uses = new Map([...registry.refreshTokens].map(([token, record]) => [token, record.uses]));
			return {
				uses,
				reused: [...uses].filter(([, count]) => count > 1).map(([token]) => token),
				unknown: registry.unknownRefreshUses,
			};
		},
		issuerOf(encryptedContent) {
			const accountId = issuingAccount(encryptedContent, state.secret);
			return accountId === undefined ? undefined : registry.byAccountId.get(accountId)?.name;
		},
		settings: state.settings,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
	if (options.control) {
		control.route = createControlRoute(upstream);
	}

	return upstream;
}
