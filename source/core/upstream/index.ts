export type {CodexAuthJson, SimulatedAccountInput, TokenSet} from './accounts.ts';
export {
	FAULT_KINDS,
	type FaultHandle,
	type FaultKind,
	type FaultSpec,
	type FaultsApi,
	type FaultTarget,
	TOKEN_FAULT_KINDS,
} from './faults.ts';
export type {LoggedRequest} from './http.ts';
export {AUTH_CLAIM, decodeJwtPayload, pkceChallenge} from './jwt.ts';
export {MODELS_ETAG, SIMULATED_MODELS} from './models.ts';
export type {WindowReport} from './quota.ts';
export type {ResponseUsage} from './response-events.ts';
export {
	type RefreshTokenStats,
	type SimulatedAccountsApi,
	type SimulatedAccountView,
	type SimulatedQuota,
	type SimulatedUpstream,
	startSimulatedUpstream,
} from './server.ts';
export {CODEX_CLIENT_ID, type MutableSettings, type SimulatedUpstreamOptions} from './state.ts';
