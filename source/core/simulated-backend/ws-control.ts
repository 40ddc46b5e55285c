import {HttpError} from './http.ts';
import type {SimulatedWebSocketsApi, WsBehaviourSpec} from './ws-hub.ts';

/**
The WebSocket part of the control API (`/__sim/websockets…`), for a simulated upstream in another process:
- `GET /__sim/websockets`: `{open, connections: [...records]}` (frames and bytes received, each request's items,
  previous_response_id, bytes, outcome);
- `PATCH /__sim/websockets`: `{upgrade: 'accept' | 426 | 400 | …, connectionLimitMs, checkTokenPerRequest}`;
- `POST /__sim/websockets/behaviours`: a WsBehaviourSpec, answers `{id}`; `DELETE` clears them;
- `POST /__sim/websockets/close-all`: `{code?, reason?}`.
Answers undefined when the path is not one of these.
*/
export function websocketControl(
	api: SimulatedWebSocketsApi,
	method: string,
	pathname: string,
	fields: Record<string, unknown>,
): unknown {
	if (pathname === '/__sim/websockets' && method === 'GET') {
		return {open: api.openCount(), connections: api.connections()};
	}

	if (pathname === '/__sim/websockets' && method === 'PATCH') {
		const {upgrade, connectionLimitMs, checkTokenPerRequest} = fields;
		if (upgrade !== undefined) {
			if (upgrade !== 'accept' && !(Number.isInteger(upgrade) && (upgrade as number) >= 400)) {
				throw new HttpError(400, {
					error: {type: 'invalid_request_error', message: 'upgrade is "accept" or an HTTP status >= 400.'},
				});
			}

			api.upgrade = upgrade as SimulatedWebSocketsApi['upgrade'];
		}

		if (typeof connectionLimitMs === 'number') {
			api.connectionLimitMs = connectionLimitMs;
		}

		if (typeof checkTokenPerRequest === 'boolean') {
			api.checkTokenPerRequest = checkTokenPerRequest;
		}

		return {upgrade: api.upgrade, connectionLimitMs: api.connectionLimitMs};
	}

	if (pathname === '/__sim/websockets/behaviours' && method === 'POST') {
		return {id: api.inject(fields as WsBehaviourSpec).id};
	}

	if (pathname === '/__sim/websockets/behaviours' && method === 'DELETE') {
		api.clearBehaviours();
		return {};
	}

	if (pathname === '/__sim/websockets/close-all' && method === 'POST') {
		api.closeAll(
			typeof fields.code === 'number' ? fields.code : undefined,
			typeof fields.reason === 'string' ? fields.reason : undefined,
		);
		return {};
	}

	return undefined;
}
