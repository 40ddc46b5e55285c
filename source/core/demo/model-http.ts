import {type Agent, request} from 'undici';
import {createSseParser} from '../sse/parse.ts';

type Item = Record<string, unknown>;

/** One model request of a synthetic session: the whole input in, the output items out (undefined: it failed). */
export type ModelCall = (input: readonly Item[]) => Promise<Item[] | undefined>;

/** The fields every request of a session carries unchanged (what lets the pool and Codex send increments). */
export type RequestFields = Readonly<Record<string, unknown>>;

/** A session's model over HTTP: each request POSTs the whole conversation and reads the SSE stream. */
export function httpModel(options: {
	readonly url: string;
	readonly dispatcher: Agent;
	readonly headers: Readonly<Record<string, string>>;
	readonly fields: RequestFields;
}): ModelCall {
	return async (input) => {
		const {statusCode, body} = await request(options.url, {
			method: 'POST',
			dispatcher: options.dispatcher,
			headers: {'content-type': 'application/json', accept: 'text/event-stream', ...options.headers},
			body: JSON.stringify({...options.fields, input}),
		});
		if (statusCode !== 200) {
			await body.dump();
			return undefined;
		}

		const parser = createSseParser();
		const output: Item[] = [];
		let completed = false;
		for await (const chunk of body) {
			for (const event of parser.push(chunk as Buffer)) {
				const data = JSON.parse(event.data) as {type?: string; item?: Item};
				if (data.type === 'response.output_item.done' && data.item !== undefined) {
					output.push(data.item);
				}

				completed ||= data.type === 'response.completed';
			}
		}

		return completed ? output : undefined;
	};
}
