import {canonicalKickPolicyName, DEFAULT_KICK_POLICY} from '../kicks/names.ts';
import {canonicalStrategyName, DEFAULT_STRATEGY} from '../strategies/names.ts';
import type {Settings} from './types.ts';

/**
The settings a fresh store starts with. Stored settings are merged over these, so a setting added in a later
version gets its default in an older store.
*/
export const defaultSettings: Settings = {
	// The registry may not have a strategy of this name yet: the store only keeps the name.
	strategy: DEFAULT_STRATEGY,
	strategyOptions: {},
	requireKey: false,
	// Off until the user turns it on: every kick spends a little of the account's quota.
	scheduler: {
		enabled: false,
		dryRun: false,
		policy: DEFAULT_KICK_POLICY,
		accounts: [],
		quietHours: undefined,
	},
	models: {publish: [], aliases: {}},
	// Codex resends the whole conversation every turn (images included), so bodies get large.
	maxBodyBytes: 32 * 1024 * 1024,
	// Each client WebSocket holds one upstream socket and its conversation's memory.
	maxWebSockets: 512,
	// No web page may use the pool unless the user names its origin.
	allowedOrigins: [],
	// HTTP clients' requests ride a per-session upstream WebSocket (incremental when Codex's rule allows), upstream
	// HTTP when the upstream refuses WebSocket or the sockets' bound is reached (see readme).
	upstreamWebSocket: true,
};

/**
Merges stored (possibly partial, possibly older) settings over the defaults. A strategy or kick policy saved
under a former name (`ours`) reads as its current one.
*/
export function withDefaults(stored: Partial<Settings> | undefined): Settings {
	const settings = stored ?? {};
	const scheduler = {...defaultSettings.scheduler, ...settings.scheduler};
	return {
		...defaultSettings,
		...settings,
		strategy: canonicalStrategyName(settings.strategy ?? defaultSettings.strategy),
		strategyOptions: {...defaultSettings.strategyOptions, ...settings.strategyOptions},
		scheduler: {...scheduler, policy: canonicalKickPolicyName(scheduler.policy)},
		models: {...defaultSettings.models, ...settings.models},
	};
}
