import type {IncomingMessage, ServerResponse} from 'node:http';
import {systemClock} from '../clock.ts';
import {readJsonBody} from '../http/body.ts';
import {clientName} from '../http/client.ts';
import type {DispatchSuccess} from '../proxy/dispatch-types.ts';
import type {OpenAiDeps} from './deps.ts';
import {fromDispatchFailure} from './errors.ts';
import type {UpstreamModel} from './models.ts';
import {resolveModel} from './models.ts';
import {requireObject} from './responses-request.ts';

/**
What is refused before the body is translated (the access policy has checked the key already): the body
itself (413/415/400, and a JSON object naming a model).
*/
export async function acceptRequest(
	req: IncomingMessage,
	deps: OpenAiDeps,
): Promise<Record<string, unknown>> {
	return requireObject(await readJsonBody(req, {maxBytes: deps.settings().maxBodyBytes}));
}

/** The upstream model list, or undefined when the engine cannot tell (then the upstream judges the model). */
export async function upstreamModels(deps: OpenAiDeps): Promise<readonly UpstreamModel[] | undefined> {
	try {
		return await deps.models();
	} catch {
		return undefined;
	}
}

/**
Sends a normalised Responses body through the engine, its model resolved first (an alias to its target; a
404 when the upstream list is known and lacks it). The upstream request is aborted when the client goes
away. A failure (no account could serve it) is thrown as an OpenAiError in the OpenAI shape.
*/
export async function forward(
	req: IncomingMessage,
	res: ServerResponse,
	deps: OpenAiDeps,
	body: Record<string, unknown>,
): Promise<DispatchSuccess> {
	const model = resolveModel(String(body.model), await upstreamModels(deps), deps.settings().models);
	const controller = new AbortController();
	res.on('close', () => {
		if (!res.writableFinished) {
			controller.abort();
		}
	});
	const headers: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		headers[name] = Array.isArray(value) ? value.join(', ') : value;
	}

	const result = await deps.dispatch({
		path: '/codex/responses',
		body: {...body, model},
		headers,
		signal: controller.signal,
		client: clientName(req),
	});
	if (!result.ok) {
		throw fromDispatchFailure(result, (deps.clock ?? systemClock).now());
	}

	if (result.status >= 400) {
		const text = await result.body.text();
		throw fromDispatchFailure(
			{ok: false, status: result.status, error: upstreamError(text)},
			(deps.clock ?? systemClock).now(),
		);
	}

	return result;
}

function upstreamError(text: string): {type: string; message: string} {
	try {
		const parsed = JSON.parse(text) as {error?: {type?: unknown; message?: unknown}; detail?: unknown};
		const type = typeof parsed.error?.type === 'string' ? parsed.error.type : 'upstream_error';
		const message =
			typeof parsed.error?.message === 'string'
				? parsed.error.message
				: typeof parsed.detail === 'string'
					? parsed.detail
					: text;
		return {type, message};
	} catch {
		return {type: 'upstream_error', message: text.slice(0, 500)};
	}
}

/** Whether the client went away (then nothing more is written). */
export function clientGone(res: ServerResponse): boolean {
	return res.destroyed || res.writableEnded;
}
