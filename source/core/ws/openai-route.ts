import type {Clock} from '../clock.ts';
import {clientName} from '../http/client.ts';
import {createModelCatalog} from '../openai/catalog.ts';
import {OpenAiError} from '../openai/errors.ts';
import {resolveModel} from '../openai/models.ts';
import {normaliseResponsesBody} from '../openai/responses-request.ts';
import type {Pool} from '../pool/pool.ts';
import type {Engine} from '../proxy/dispatch.ts';
import type {Settings} from '../store/types.ts';
import type {WebSocketRoute} from './front-door.ts';

/**
`/v1/responses` in the Responses WebSocket mode (the `openai` SDK's `ResponsesWS`): the same relay as Codex's
path, behind the same access policy as every door (the HTTP server applies it before the upgrade reaches the
route list's `/v1/responses` upgrade route), each `response.create` normalised as a `/v1/responses` POST body
is (aliases resolved, fields the backend refuses removed) but keeping `previous_response_id`, which a socket
can honour; backend-only frames (`codex.rate_limits`) are not passed on, as over SSE.
*/
export function openAiWebSocketRoute(options: {
	readonly engine: Pick<Engine, 'get'>;
	readonly pool: Pick<Pool, 'list' | 'isUsable'>;
	readonly settings: () => Settings;
	readonly clock: Clock;
}): WebSocketRoute {
	const {engine, pool, settings} = options;
	const models = createModelCatalog({
		get: (accountId, path) => engine.get(accountId, path),
		accountIds: () =>
			pool
				.list()
				.map((account) => account.record.id)
				.sort((a, b) => Number(pool.isUsable(b)) - Number(pool.isUsable(a))),
		clock: options.clock,
	});
	return {
		path: '/v1/responses',
		logPath: '/v1/responses',
		backendFrames: false,
		clientName,
		// The HTTP server's access policy (Host, Origin, pool key) ran before the upgrade reached this route.
		authorize: () => undefined,
		async prepare(frame) {
			const {type, previous_response_id: previous, generate, ...rest} = frame;
			try {
				const known = await models().catch(() => undefined);
				const model = resolveModel(String(rest.model), known, settings().models);
				const {body} = normaliseResponsesBody(rest, model);
				return {
					type,
					...body,
					...(previous === undefined || previous === null ? {} : {previous_response_id: previous}),
					...(generate === undefined ? {} : {generate}),
				};
			} catch (error) {
				if (error instanceof OpenAiError) {
					throw Object.assign(new Error(error.message), {status: error.status, error: error.toBody().error});
				}

				throw error;
			}
		},
	};
}
