import type {ProxyRoute} from '../proxy/server.ts';
import type {OpenAiDeps} from './deps.ts';
import {handleChatCompletions, handleModels, handleResponses} from './routes.ts';

/**
The `/v1` routes in the proxy server's route table (`createProxyServer({routes: [...codex, ...openAiProxyRoutes(deps)]})`).
Each handler checks the pool key itself and answers every error in the OpenAI shape.
*/
export function openAiProxyRoutes(deps: OpenAiDeps): ProxyRoute[] {
	return [
		{method: 'POST', path: /^\/v1\/responses\/?$/, handle: (req, res) => handleResponses(req, res, deps)},
		{
			method: 'POST',
			path: /^\/v1\/chat\/completions\/?$/,
			handle: (req, res) => handleChatCompletions(req, res, deps),
		},
		{method: 'GET', path: /^\/v1\/models(\/[^/]+)?\/?$/, handle: (req, res) => handleModels(req, res, deps)},
	];
}
