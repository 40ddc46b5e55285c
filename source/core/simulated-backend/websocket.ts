import type {IncomingMessage} from 'node:http';
import type {Duplex} from 'node:stream';
import {WebSocketServer} from 'ws';
import type {SimulatedAccount} from './accounts.ts';
import {authenticate} from './backend-auth.ts';
import {sealForAccount} from './encrypted.ts';
import {type Exchange, HttpError, type LoggedRequest} from './http.ts';
import {MODELS_ETAG} from './models.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitHeaders, usageLimitBody} from './usage-report.ts';
import {httpRefusal} from './ws-frames.ts';
import type {WebSocketHub, WsConnectionRecord} from './ws-hub.ts';
import {runWebSocketSession} from './ws-session.ts';

/**
The Responses WebSocket mode's handshake on `GET /backend-api/codex/responses` (websocket.md "Connection"):
authenticated like the POST (401 for a bad or expired token), 429 `usage_limit_reached` when the account is
exhausted, a refusal status when a test set `websockets.upgrade` to one (426: Codex uses HTTP at once), else
101 with the quota headers, the models etag, `x-reasoning-included` and a turn state (no `openai-model`: the model
is not known before the first frame, and Codex reports any other than its own as "model rerouted"), and a session that serves `response.create` frames.
*/
export function createWebSocketUpgradeHandler(
	state: UpstreamState,
	hub: WebSocketHub,
	logEntry: (req: IncomingMessage, path: string) => LoggedRequest,
) {
	const server = new WebSocketServer({noServer: true, perMessageDeflate: false, clientTracking: false});
	const extraHeaders = new WeakMap<IncomingMessage, Record<string, string>>();
	server.on('headers', (headers, req) => {
		for (const [name, value] of Object.entries(extraHeaders.get(req) ?? {})) {
			headers.push(`${name}: ${value}`);
		}
	});

	return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const entry = logEntry(req, url.pathname + url.search);
		const refuse = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			entry.status = status;
			socket.end(httpRefusal(status, body, headers));
		};

		if (url.pathname !== '/backend-api/codex/responses') {
			return refuse(404, {detail: 'Not Found'});
		}

		if (hub.api.upgrade !== 'accept') {
			const status = hub.api.upgrade;
			return refuse(status, {
				error: {type: 'invalid_request_error', message: 'WebSockets are not supported here; use HTTP.'},
			});
		}

		let account: SimulatedAccount;
		try {
			account = authenticate(state, {req, url, entry} as unknown as Exchange);
		} catch (error) {
			if (error instanceof HttpError) {
				return refuse(error.status, error.body, error.headers);
			}

			throw error;
		}

		const now = entry.at;
		const idle = state.settings.idleUsedPercent;
		const limit = usageLimitBody(account, now, idle);
		if (limit) {
			return refuse(429, limit, rateLimitHeaders(account, now, idle));
		}

		// Turn states of the account: one at the upgrade, another in each response's `response.metadata` (the one
		// Codex 0.171 reads), so a test sees which a client sends back.
		const seal = () => sealForAccount(account.identity.accountId, 'turn-state', state.secret);
		const turnStates = {upgrade: seal(), responses: seal()};
		extraHeaders.set(req, {
			...rateLimitHeaders(account, now, idle),
			'x-models-etag': MODELS_ETAG,
			'x-reasoning-included': 'true',
			'x-codex-turn-state': turnStates.upgrade,
		});
		server.handleUpgrade(req, socket, head, (ws) => {
			entry.status = 101;
			const record: WsConnectionRecord = {
				id: hub.nextId(),
				account: account.name,
				openedAt: now,
				headers: {...req.headers, authorization: req.headers.authorization ? '[redacted]' : undefined},
				turnStates,
				closedAt: undefined,
				closeCode: undefined,
				framesReceived: 0,
				bytesReceived: 0,
				requests: [],
			};
			hub.open(ws, record);
			runWebSocketSession(state, hub, ws, account, record, req.headers.authorization);
		});
	};
}
