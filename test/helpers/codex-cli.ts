import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/**
Runs the real Codex CLI (0.171, node_modules/.bin/codex) once: `codex exec` with a custom provider named "pool"
(codex-cli-observed.md §1 variant D) pointing at `baseUrl`, over WebSocket when `websockets` is set
(`supports_websockets = true`), in a fresh CODEX_HOME and an empty working directory. Shell commands the
model asks for run without a sandbox (`-s danger-full-access`): the simulated model only ever asks for `echo`.
*/
export const CODEX_BIN = join(process.cwd(), 'node_modules/.bin/codex');

/** False when the Codex CLI is not installed (tests then skip). */
export const hasCodexCli = () => existsSync(CODEX_BIN);

export type CodexExecOptions = {
	/** The backend base, e.g. `http://127.0.0.1:PORT/backend-api` (a simulated upstream or the pool). */
	readonly baseUrl: string;
	/** A Codex auth.json (`upstream.accounts.authJson(name)` or one the pool hands out). */
	readonly authJson: unknown;
	readonly prompt: string;
	/** Speak the Responses WebSocket mode (default false: HTTP POST only). */
	readonly websockets?: boolean;
	/** `CODEX_REFRESH_TOKEN_URL_OVERRIDE`, where token refreshes go. */
	readonly tokenUrl?: string;
	/** `chatgpt_base_url` (default `baseUrl + '/'`). */
	readonly chatgptBaseUrl?: string;
	/** Extra `codex exec` arguments, before the prompt. */
	readonly args?: readonly string[];
	/** Extra config.toml lines (top level). */
	readonly config?: readonly string[];
	/** Killed (process group) after this many ms (default 90 s). */
	readonly timeoutMs?: number;
};

export type CodexExecResult = {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
	/** auth.json after the run (Codex writes rotated tokens back). */
	readonly authJson: {tokens: {access_token: string; refresh_token: string}};
	readonly timedOut: boolean;
};

export async function runCodexExec(options: CodexExecOptions): Promise<CodexExecResult> {
	const home = mkdtempSync(join(tmpdir(), 'codexpool-codex-home-'));
	const work = mkdtempSync(join(tmpdir(), 'codexpool-codex-work-'));
	writeFileSync(join(home, 'auth.json'), JSON.stringify(options.authJson), {mode: 0o600});
	writeFileSync(
		join(home, 'config.toml'),
		[
			'model_provider = "pool"',
			`chatgpt_base_url = "${options.chatgptBaseUrl ?? `${options.baseUrl}/`}"`,
			'check_for_update_on_startup = false',
			...(options.config ?? []),
			'[analytics]',
			'enabled = false',
			'[model_providers.pool]',
			'name = "pool"',
			`base_url = "${options.baseUrl}/codex"`,
			'wire_api = "responses"',
			'requires_openai_auth = true',
			`supports_websockets = ${options.websockets === true}`,
		].join('\n'),
	);
	const args = [
		'exec',
		'--skip-git-repo-check',
		'--ephemeral',
		'-s',
		'danger-full-access',
		'-C',
		work,
		...(options.args ?? []),
		options.prompt,
	];
	// Its own process group, so a timeout stops the npm wrapper and the native binary under it together.
	const child = spawn(CODEX_BIN, args, {
		env: {
			...process.env,
			CODEX_HOME: home,
			...(options.tokenUrl ? {CODEX_REFRESH_TOKEN_URL_OVERRIDE: options.tokenUrl} : {}),
		},
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		if (child.pid) {
			process.kill(-child.pid, 'SIGKILL');
		}
	}, options.timeoutMs ?? 90_000);
	const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
	clearTimeout(timer);
	const authJson = JSON.parse(readFileSync(join(home, 'auth.json'), 'utf8')) as CodexExecResult['authJson'];
	rmSync(home, {recursive: true, force: true});
	rmSync(work, {recursive: true, force: true});
	return {code, stdout, stderr, authJson, timedOut};
}
