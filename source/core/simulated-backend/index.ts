/**
The simulated ChatGPT Codex backend and OAuth issuer, in process on 127.0.0.1 (or in its own process:
`standalone.ts`). Typical use:

  const upstream = await startSimulatedUpstream({clock, accounts: [{name: 'a'}, {name: 'b', plan: 'pro'}]});
  fetch(`${upstream.backendUrl}/codex/responses`, {headers: {authorization: `Bearer ${upstream.accounts.get('a').tokens.accessToken}`, 'chatgpt-account-id': upstream.accounts.get('a').accountId}, ...});
  upstream.accounts.exhaust('a');                       // next request as a: 429 usage_limit_reached
  startSimulatedUpstream({accounts: [{name: 'f', weeklyOnly: true}, {name: 'h', shortWindowMinutes: 60}]});
  upstream.accounts.setFiveHourWindow('a', false);      // a's 5-hour window vanishes (true: it comes back)
  startSimulatedUpstream({intercept: (request) => ...})   // answer or bend requests instead (test/helpers/faults.ts)
  new WebSocket(`${upstream.backendUrl.replace('http', 'ws')}/codex/responses`, {headers}); // Responses WebSocket mode
  upstream.websockets.upgrade = 426;                   // or refuse upgrades, so clients fall back to HTTP
  upstream.websockets.inject({kind: 'usage_limit_midstream', account: 'a'});
  upstream.websockets.connections()[0].requests        // items, previous_response_id, bytes of each frame
  upstream.refreshTokens().reused                      // [] unless a refresh token was used twice
  await upstream.close();
*/
export type {CodexAuthJson, SimulatedAccountInput, TokenSet} from './accounts.ts';
export type {LoggedRequest} from './http.ts';
export type {
	Intercept,
	InterceptedRequest,
	Interception,
	PlannedStream,
	StreamPlan,
} from './intercept.ts';
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
export {
	type SimulatedWebSocketsApi,
	WS_BEHAVIOUR_KINDS,
	type WsBehaviourKind,
	type WsBehaviourSpec,
	type WsConnectionRecord,
	type WsRequestRecord,
	type WsUpgradeAnswer,
} from './ws-hub.ts';
