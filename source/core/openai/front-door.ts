import type {Clock} from '../clock.ts';
import type {Route} from '../http/route.ts';
import type {Pool} from '../pool/pool.ts';
import {webSocketUpgradeRoute} from '../proxy/codex-routes.ts';
import type {Engine} from '../proxy/dispatch.ts';
import type {Settings} from '../store/types.ts';
import type {WebSocketFrontDoor} from '../ws/front-door.ts';
import {createModelCatalog} from './catalog.ts';
import type {OpenAiDeps} from './deps.ts';
import {handleChatCompletions, handleModels, handleResponses} from './routes.ts';

/**
The `/v1` routes as the pool mounts them. The access policy checks the pool key before a handler runs; each
handler answers every error in the OpenAI shape.
*/
export function openAiRoutes(deps: OpenAiDeps): Route[] {
	return [
		{
			door: 'openai',
			method: 'POST',
			path: /^\/v1\/responses\/?$/,
			model: true,
			handle: (req, res) => handleResponses(req, res, deps),
		},
		{
			door: 'openai',
			method: 'POST',
			path: /^\/v1\/chat\/completions\/?$/,
			model: true,
			handle: (req, res) => handleChatCompletions(req, res, deps),
		},
		{
			door: 'openai',
			method: 'GET',
			path: /^\/v1\/models(\/[^/]+)?\/?$/,
			handle: (req, res) => handleModels(req, res, deps),
		},
	];
}

/**
The OpenAI-compatible front door wired to the pool's engine: the model list is fetched through the pool
(usable accounts first). Settings are read from the store on each request, so a change applies to a
running server.
*/
export function createOpenAiFrontDoor(options: {
	engine: Pick<Engine, 'dispatch' | 'get'>;
	pool: Pick<Pool, 'list' | 'isUsable'>;
	store: {getSettings: () => Settings};
	clock: Clock;
	/** Takes the `/v1/responses` WebSocket upgrades (the openai SDK's ResponsesWS); without it they get 426. */
	webSockets?: Pick<WebSocketFrontDoor, 'handleUpgrade'>;
}): Route[] {
	const {engine, pool, store, clock, webSockets} = options;
	const models = createModelCatalog({
		get: (accountId, path) => engine.get(accountId, path),
		accountIds: () =>
			pool
				.list()
				.map((account) => account.record.id)
				.sort((a, b) => Number(pool.isUsable(b)) - Number(pool.isUsable(a))),
		clock,
	});
	const routes = openAiRoutes({
		dispatch: engine.dispatch,
		settings: () => store.getSettings(),
		models,
		clock,
	});
	return webSockets === undefined
		? routes
		: [...routes, webSocketUpgradeRoute('openai', '/v1/responses', webSockets)];
}
