import fs from 'node:fs';
import {Readable} from 'node:stream';
import {createManualClock} from '../../source/core/clock.ts';
import {createAccessPolicy} from '../../source/core/http/access.ts';
import {createHttpServer} from '../../source/core/http/server.ts';
import {createMemoryKeyStorage, createPoolKeys, type PoolKeys} from '../../source/core/keys/pool-keys.ts';
import type {OpenAiDeps} from '../../source/core/openai/deps.ts';
import {openAiRoutes} from '../../source/core/openai/front-door.ts';
import type {UpstreamModel} from '../../source/core/openai/models.ts';
import type {Dispatch, DispatchRequest, DispatchResult} from '../../source/core/proxy/dispatch-types.ts';
import {type ResponsesEvent, readResponsesEvents} from '../../source/core/sse/responses-events.ts';
import type {Settings} from '../../source/core/store/types.ts';
import {readableBody} from '../helpers/dispatch-body.ts';

/** A recorded upstream SSE body from test/openai/fixtures. */
export function fixture(name: string): string {
	return fs.readFileSync(new URL(`fixtures/${name}.sse`, import.meta.url), 'utf8');
}

/** The events of a fixture, parsed. */
export async function fixtureEvents(name: string): Promise<ResponsesEvent[]> {
	const events: ResponsesEvent[] = [];
	for await (const event of readResponsesEvents(Readable.from([Buffer.from(fixture(name))]))) {
		events.push(event);
	}

	return events;
}

/** Splits bytes into chunks of pseudo-random sizes (1..max), deterministically for a seed. */
export function chunked(bytes: Buffer, seed: number, max = 17): Buffer[] {
	const chunks: Buffer[] = [];
	let state = seed;
	for (let offset = 0; offset < bytes.length; ) {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		const size = 1 + (state % max);
		chunks.push(bytes.subarray(offset, offset + size));
		offset += size;
	}

	return chunks;
}

export const upstreamModels: UpstreamModel[] = [
	{slug: 'gpt-5.5', visibility: 'list'},
	{slug: 'gpt-5.6-sol', visibility: 'list'},
	{slug: 'gpt-5.4-mini', visibility: 'hide'},
];

/** A dispatch that answers every request with a fixture (split in small chunks) and records the requests. */
export function replayDispatch(
	answer: string | ((request: DispatchRequest) => DispatchResult),
): Dispatch & {requests: DispatchRequest[]} {
	const requests: DispatchRequest[] = [];
	const dispatch = async (request: DispatchRequest): Promise<DispatchResult> => {
		requests.push(request);
		if (typeof answer === 'function') {
			return answer(request);
		}

		return sseResult(fixture(answer));
	};

	return Object.assign(dispatch, {requests});
}

export function sseResult(text: string): DispatchResult {
	return {
		ok: true,
		status: 200,
		headers: {'content-type': 'text/event-stream'},
		accountId: 'acct-1',
		sessionId: 'session-1',
		body: readableBody(Readable.from(chunked(Buffer.from(text), 7))),
	};
}

/** The settings a fresh store has (kept here so these tests do not depend on the store's defaults). */
export const testSettings: Settings = {
	strategy: 'ours',
	strategyOptions: {},
	requireKey: false,
	scheduler: {enabled: false, dryRun: false, policy: 'ours', accounts: [], quietHours: undefined},
	models: {publish: [], aliases: {fast: 'gpt-5.4-mini'}},
	maxBodyBytes: 1024 * 1024,
	maxWebSockets: 512,
	allowedOrigins: [],
	upstreamWebSocket: false,
};

export type TestServer = {
	url: string;
	keys: PoolKeys;
	key: string;
	settings: {current: Settings};
	close: () => Promise<void>;
};

/**
The `/v1` routes as the pool mounts them (`openAiRoutes`), on the pool's HTTP server with its access policy,
on 127.0.0.1:0, with one pool key created. `bindHost` is what the access policy takes the bind address to be.
*/
export async function startRoutes(
	dispatch: Dispatch,
	overrides: Partial<OpenAiDeps> & {bindHost?: string} = {},
): Promise<TestServer> {
	const keys = createPoolKeys(createMemoryKeyStorage(), {clock: createManualClock(1_763_790_000_000)});
	const {key} = keys.create('test');
	const settings = {current: testSettings};
	const {bindHost = '127.0.0.1', ...deps} = overrides;
	const server = createHttpServer({
		routes: openAiRoutes({
			dispatch,
			settings: () => settings.current,
			models: async () => upstreamModels,
			clock: createManualClock(1_763_790_000_000),
			...deps,
		}),
		access: createAccessPolicy({bindHost, keys, settings: () => settings.current}),
	});
	const url = await server.listen();
	return {url, keys, key, settings, close: () => server.close()};
}
