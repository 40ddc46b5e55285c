import type {ServerResponse} from 'node:http';
import type {Readable} from 'node:stream';
import {systemClock} from '../clock.ts';
import {sendJson} from '../http/reply.ts';
import {PoolStoppingError} from '../proxy/stopping.ts';
import {sseEvent} from '../sse/frame.ts';
import {type ResponsesEvent, readResponsesEvents} from '../sse/responses-events.ts';
import {chatToResponses} from './chat-request.ts';
import {responseToChatCompletion} from './chat-response.ts';
import {createChatStreamTranslator} from './chat-stream.ts';
import type {OpenAiHandler} from './deps.ts';
import {fromStreamFailure, OpenAiError, sendError, toOpenAiError} from './errors.ts';
import {acceptRequest, clientGone, forward, upstreamModels} from './forward.ts';
import {startSse, write} from './http.ts';
import {modelListBody, publishedModelIds} from './models.ts';
import {createResponseAssembler} from './response-assembler.ts';
import {normaliseResponsesBody} from './responses-request.ts';

/**
`POST /v1/responses`: the body normalised for the ChatGPT backend, then either the upstream's `response.*`
events as they come (backend-only events such as `codex.rate_limits` and `response.metadata` are held back: the
SDKs' stream helpers expect `response.created` first and refuse events they do not know), or one Response object assembled from them.
*/
export const handleResponses: OpenAiHandler = async (req, res, deps) => {
	await guard(res, async () => {
		const raw = await acceptRequest(req, deps);
		const {body, stream} = normaliseResponsesBody(raw, raw.model as string);
		const upstream = await forward(req, res, deps, body);
		const events = upstreamEvents(upstream.body.toReadable());
		if (!stream) {
			const assembler = createResponseAssembler();
			for await (const event of events) {
				assembler.push(event);
			}

			const result = assembler.result();
			if (result.kind === 'failed') {
				throw fromStreamFailure(result.error);
			}

			if (result.kind === 'cut') {
				throw interrupted();
			}

			sendJson(res, 200, result.response);
			return;
		}

		startSse(res);
		let terminal = false;
		for await (const event of events) {
			if (!isClientEvent(event)) {
				continue;
			}

			terminal ||= isTerminal(event);
			if (!(await write(res, sseEvent(event, event.type)))) {
				upstream.body.cancel();
				return;
			}
		}

		if (!terminal) {
			const cut = interrupted();
			await write(res, sseEvent({type: 'error', code: cut.code, message: cut.message, param: null}, 'error'));
		}

		res.end();
	});
};

/**
`POST /v1/chat/completions`: translated to a Responses request, and the answer translated back, as
`chat.completion.chunk` events ending in `data: [DONE]`, or as one `chat.completion`.
*/
export const handleChatCompletions: OpenAiHandler = async (req, res, deps) => {
	await guard(res, async () => {
		const raw = await acceptRequest(req, deps);
		const {body, options} = chatToResponses(raw, raw.model as string);
		const upstream = await forward(req, res, deps, body);
		const now = (deps.clock ?? systemClock).now();
		const events = upstreamEvents(upstream.body.toReadable());
		if (!options.stream) {
			const assembler = createResponseAssembler();
			for await (const event of events) {
				assembler.push(event);
			}

			const result = assembler.result();
			if (result.kind === 'failed') {
				throw fromStreamFailure(result.error);
			}

			if (result.kind === 'cut') {
				throw interrupted();
			}

			sendJson(res, 200, responseToChatCompletion(result.response, options.model, now));
			return;
		}

		startSse(res);
		const translator = createChatStreamTranslator({
			model: options.model,
			includeUsage: options.includeUsage,
			now,
		});
		for await (const event of events) {
			for (const payload of translator.push(event)) {
				if (!(await write(res, sseEvent(payload)))) {
					upstream.body.cancel();
					return;
				}
			}
		}

		for (const payload of translator.end()) {
			await write(res, sseEvent(payload));
		}

		await write(res, sseEvent('[DONE]'));
		res.end();
	});
};

/**
`GET /v1/models` (the published models and aliases, from the upstream list) and `GET /v1/models/{id}` (one
of them, or 404 `model_not_found`).
*/
export const handleModels: OpenAiHandler = async (req, res, deps) => {
	await guard(res, async () => {
		const settings = deps.settings();
		const upstream = await upstreamModels(deps);
		if (upstream === undefined) {
			throw new OpenAiError(
				503,
				'The model list is not available: no pool account could fetch it. Check `codexpool accounts`.',
				{type: 'upstream_error', code: 'models_unavailable'},
			);
		}

		const list = modelListBody(publishedModelIds(upstream, settings.models));
		const wanted = /^\/v1\/models\/([^/?]+)/.exec(req.url ?? '')?.[1];
		if (wanted === undefined) {
			sendJson(res, 200, list);
			return;
		}

		const id = decodeURIComponent(wanted);
		const model = list.data.find((entry) => entry.id === id);
		if (model === undefined) {
			throw new OpenAiError(404, `The model \`${id}\` does not exist in this pool. See GET /v1/models.`, {
				type: 'invalid_request_error',
				code: 'model_not_found',
				param: 'model',
			});
		}

		sendJson(res, 200, model);
	});
};

async function guard(res: ServerResponse, run: () => Promise<void>): Promise<void> {
	try {
		await run();
	} catch (error) {
		if (!clientGone(res)) {
			sendError(res, toOpenAiError(error));
		}
	}
}

/**
The upstream's events; a connection that breaks mid-response ends them with an `error` event instead of a
throw, so a client that already has part of the answer gets a proper end (an error event, or a 502).
*/
async function* upstreamEvents(body: Readable): AsyncGenerator<ResponsesEvent> {
	try {
		yield* readResponsesEvents(body);
	} catch (error) {
		if (error instanceof PoolStoppingError) {
			yield {type: 'error', code: 'pool_stopping', message: error.message};
			return;
		}

		const reason = error instanceof Error ? error.message : String(error);
		yield {
			type: 'error',
			code: 'stream_interrupted',
			message: `The upstream connection broke mid-response (${reason}). Retry the request.`,
		};
	}
}

/**
The OpenAI API's events. The ChatGPT backend's own stay behind: `codex.*`, and `response.metadata` (its headers:
turn state, model), which the openai SDK's stream helper refuses ("Unhandled response stream event").
*/
function isClientEvent(event: ResponsesEvent): boolean {
	return (event.type.startsWith('response.') && event.type !== 'response.metadata') || event.type === 'error';
}

function isTerminal(event: ResponsesEvent): boolean {
	return (
		event.type === 'response.completed' ||
		event.type === 'response.incomplete' ||
		event.type === 'response.failed' ||
		event.type === 'error'
	);
}

function interrupted(): OpenAiError {
	return new OpenAiError(
		502,
		'The upstream stream ended before the response was complete. Retry the request.',
		{
			type: 'upstream_error',
			code: 'stream_interrupted',
		},
	);
}
