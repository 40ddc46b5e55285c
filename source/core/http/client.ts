import type {IncomingMessage} from 'node:http';

/**
A short name for the client, for the sessions view and the request log: Codex's `originator` header when it
sends one (`codex_cli_rs`, `codex_exec`), else the OpenAI SDKs and OpenCode by their User-Agent, else the
User-Agent's product token, else `unknown`.
*/
export function clientName(request: IncomingMessage): string {
	const originator = request.headers.originator;
	if (typeof originator === 'string' && originator !== '') {
		return originator;
	}

	const agent = request.headers['user-agent'] ?? '';
	if (/^OpenAI\/JS/i.test(agent)) {
		return 'openai-node';
	}

	if (/^OpenAI\/Python/i.test(agent)) {
		return 'openai-python';
	}

	if (/opencode/i.test(agent)) {
		return 'opencode';
	}

	return /^([A-Za-z][\w.-]*)/.exec(agent)?.[1] ?? 'unknown';
}
