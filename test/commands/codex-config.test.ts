import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';
import {command, mergeCodexConfig} from '../../source/commands/codex-config.ts';
import {tempDir} from '../store/fixtures.ts';
import {runCommand} from './run.ts';

const codexBin = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));

const expectedTail = `[model_providers.codexpool]
name = "codexpool"
base_url = "http://127.0.0.1:4455/backend-api/codex"
wire_api = "responses"
requires_openai_auth = true
`;

function codexHomeWith(text: string | undefined): {dir: string; file: string} {
	const dir = tempDir();
	const file = path.join(dir, 'config.toml');
	if (text !== undefined) {
		fs.writeFileSync(file, text, {mode: 0o644});
	}

	return {dir, file};
}

const backups = (dir: string) => fs.readdirSync(dir).filter((name) => name.includes('.codexpool-backup-'));

describe('codexpool codex-config', () => {
	it('prints the custom provider (variant D) and explains resume', async () => {
		const result = await runCommand(command, []);
		assert.equal(result.code, 0);
		assert.match(result.stdout, /^model_provider = "codexpool"$/m);
		assert.match(result.stdout, /^chatgpt_base_url = "http:\/\/127\.0\.0\.1:4455\/backend-api\/"$/m);
		assert.ok(result.stdout.includes(expectedTail));
		assert.match(result.stdout, /codex resume.*model_provider/s);
		const other = await runCommand(command, ['--port', '5000']);
		assert.match(other.stdout, /base_url = "http:\/\/127\.0\.0\.1:5000\/backend-api\/codex"/);
	});

	it('--write creates config.toml when there is none, then changes nothing', async () => {
		const {dir, file} = codexHomeWith(undefined);
		const first = await runCommand(command, ['--write'], {CODEX_HOME: dir});
		assert.equal(first.code, 0, first.stderr);
		assert.equal(
			fs.readFileSync(file, 'utf8'),
			`model_provider = "codexpool"\nchatgpt_base_url = "http://127.0.0.1:4455/backend-api/"\n\n${expectedTail}`,
		);
		const second = await runCommand(command, ['--write'], {CODEX_HOME: dir});
		assert.match(
			second.stdout,
			/already points Codex CLI at codexpool on http:\/\/127\.0\.0\.1:4455: nothing changed/,
		);
		assert.deepEqual(backups(dir), []);
	});

	it('--write merges into an existing config, keeping everything else, after a backup', async () => {
		const original = [
			'# my settings',
			'model = "gpt-5.5"',
			'model_provider = "openai"   # the default',
			'notes = """',
			'[not.a.table]',
			'"""',
			'',
			'[features]',
			'web_search = true',
			'',
			'[model_providers.codexpool]',
			'base_url = "http://127.0.0.1:9999/backend-api/codex"',
			'stream_idle_timeout_ms = 600000',
			'',
			'[profiles.fast]',
			'model = "gpt-5.4-mini"',
			'',
		].join('\n');
		const {dir, file} = codexHomeWith(original);
		const result = await runCommand(command, ['--write'], {CODEX_HOME: dir});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /the previous file is in .*config\.toml\.codexpool-backup-/);
		assert.equal(
			fs.readFileSync(file, 'utf8'),
			[
				'# my settings',
				'model = "gpt-5.5"',
				'model_provider = "codexpool"',
				'notes = """',
				'[not.a.table]',
				'"""',
				'chatgpt_base_url = "http://127.0.0.1:4455/backend-api/"',
				'',
				'[features]',
				'web_search = true',
				'',
				'[model_providers.codexpool]',
				'base_url = "http://127.0.0.1:4455/backend-api/codex"',
				'stream_idle_timeout_ms = 600000',
				'name = "codexpool"',
				'wire_api = "responses"',
				'requires_openai_auth = true',
				'',
				'[profiles.fast]',
				'model = "gpt-5.4-mini"',
				'',
			].join('\n'),
		);
		assert.equal(fs.statSync(file).mode & 0o777, 0o644);
		const [backup] = backups(dir);
		assert.equal(fs.readFileSync(path.join(dir, backup!), 'utf8'), original);
		const again = await runCommand(command, ['--write'], {CODEX_HOME: dir});
		assert.match(again.stdout, /nothing changed/);
		assert.equal(backups(dir).length, 1);
	});

	it('puts top-level keys above a file that starts with a table', () => {
		const merged = mergeCodexConfig('[features]\nx = true\n', 4455);
		assert.ok(
			merged.startsWith(
				'model_provider = "codexpool"\nchatgpt_base_url = "http://127.0.0.1:4455/backend-api/"\n\n[features]\nx = true\n\n[model_providers.codexpool]\n',
			),
		);
		assert.equal(mergeCodexConfig(merged, 4455), merged);
		assert.equal(mergeCodexConfig('a = 1\n\n\n\n', 4455), mergeCodexConfig('a = 1\n', 4455));
		assert.ok(
			!mergeCodexConfig('a = 1\n\n\n\n', 4455).includes('[model_providers.codexpool]\nmodel_provider'),
		);
	});

	it('--key-env writes the keyed variant, switching back and forth cleanly', async () => {
		const {dir, file} = codexHomeWith('[model_providers.codexpool]\nstream_max_retries = 9\n');
		const keyed = await runCommand(command, ['--write', '--key-env', 'CODEXPOOL_KEY', '--host', '10.0.0.5'], {
			CODEX_HOME: dir,
		});
		assert.equal(keyed.code, 0, keyed.stderr);
		assert.match(keyed.stdout, /export CODEXPOOL_KEY=cxp_/);
		const keyedText = fs.readFileSync(file, 'utf8');
		assert.equal(
			keyedText,
			[
				'model_provider = "codexpool"',
				'',
				'[model_providers.codexpool]',
				'stream_max_retries = 9',
				'name = "codexpool"',
				'base_url = "http://10.0.0.5:4455/backend-api/codex"',
				'wire_api = "responses"',
				'env_key = "CODEXPOOL_KEY"',
				'',
			].join('\n'),
		);
		assert.equal(
			mergeCodexConfig(keyedText, {port: 4455, host: '10.0.0.5', keyEnv: 'CODEXPOOL_KEY'}),
			keyedText,
		);
		const plain = mergeCodexConfig(keyedText, 4455);
		assert.doesNotMatch(plain, /env_key/);
		assert.match(plain, /requires_openai_auth = true/);
		assert.doesNotMatch(mergeCodexConfig(plain, {port: 4455, keyEnv: 'K'}), /requires_openai_auth/);
		const printed = await runCommand(command, ['--key-env', 'POOL']);
		assert.match(printed.stdout, /env_key = "POOL"/);
		assert.doesNotMatch(printed.stdout, /requires_openai_auth|chatgpt_base_url/);
	});

	it('is accepted by the real Codex CLI (0.169), which refuses a config naming a missing provider', () => {
		const check = (text: string) => {
			const {dir} = codexHomeWith(text);
			return spawnSync(codexBin, ['features', 'list'], {
				env: {...process.env, CODEX_HOME: dir},
				encoding: 'utf8',
				timeout: 20_000,
			});
		};

		const broken = check('model_provider = "codexpool"\n');
		assert.notEqual(broken.status, 0);
		assert.match(broken.stderr, /Model provider `codexpool` not found/);
		const merged = check(mergeCodexConfig('model = "gpt-5.5"\n\n[features]\nshell_tool = true\n', 4455));
		assert.equal(merged.status, 0, merged.stderr);
	});

	it('refuses forms it cannot edit safely, and bad input, with clear messages', async () => {
		const dotted = codexHomeWith('model_providers.codexpool.base_url = "x"\n');
		const inline = codexHomeWith('[model_providers]\ncodexpool = {name = "x"}\n');
		for (const {dir, file} of [dotted, inline]) {
			const before = fs.readFileSync(file, 'utf8');
			const result = await runCommand(command, ['--write'], {CODEX_HOME: dir});
			assert.equal(result.code, 1);
			assert.match(result.stderr, /dotted keys or an inline table.*by hand/);
			assert.equal(fs.readFileSync(file, 'utf8'), before);
		}

		const missing = await runCommand(command, ['--write'], {CODEX_HOME: '/nonexistent/codex'});
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /CODEX_HOME is \/nonexistent\/codex, which does not exist/);
		const bad: [string[], RegExp][] = [
			[['--port', 'abc'], /--port must be a port number/],
			[['--port', '70000'], /--port must be a port number/],
			[['extra'], /takes no arguments/],
			[['--wrte'], /Unknown option --wrte/],
			[['--host', 'a b'], /--host must be a host name/],
			[['--key-env', '1X'], /--key-env must name an environment variable/],
			[['--host', '10.0.0.5'], /A pool on 10\.0\.0\.5 requires a pool key from every client: add --key-env/],
		];
		for (const [argv, message] of bad) {
			const result = await runCommand(command, argv);
			assert.equal(result.code, 2, argv.join(' '));
			assert.match(result.stderr, message);
		}
	});
});
