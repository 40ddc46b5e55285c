import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {SimulatedAccount} from './accounts.ts';
import {createControlRoute} from './control.ts';
import {issuingAccount} from './encrypted.ts';
import {createIssuerState} from './oauth.ts';
import {reportWindow, setFiveHourWindow, setWindowPercent} from './quota.ts';
import {createRequestHandler, logEntry, type Route} from './router.ts';
import {createUpstreamState, type SimulatedUpstreamOptions} from './state.ts';
import type {SimulatedAccountsApi, SimulatedAccountView, SimulatedUpstream} from './types.ts';
import {createWebSocketUpgradeHandler} from './websocket.ts';
import {createWebSocketHub} from './ws-hub.ts';

export type {
	RefreshTokenStats,
	SimulatedAccountsApi,
	SimulatedAccountView,
	SimulatedQuota,
	SimulatedUpstream,
} from './types.ts';

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
	const websockets = createWebSocketHub();
	server.on(
		'upgrade',
		createWebSocketUpgradeHandler(state, websockets, (req, path) => logEntry(state, req, path)),
	);
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
		setFiveHourWindow(name, present) {
			setFiveHourWindow(find(name).windows, present);
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
		websockets: websockets.api,
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
				// Upgraded sockets are no longer the HTTP server's to close.
				websockets.terminateAll();
			}),
	};
	if (options.control) {
		control.route = createControlRoute(upstream);
	}

	return upstream;
}
