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
supports_websockets = true
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

// Variant A makes the local CA in the codexpool home: never the real ~/.codexpool in tests.
const poolHome = tempDir();
const withHome = (env: NodeJS.ProcessEnv = {}) => ({CODEXPOOL_HOME: poolHome, ...env});
const caPath = path.join(poolHome, 'tls', 'ca.pem');
const builtinLines =
	'openai_base_url = "http://127.0.0.1:4455/backend-api/codex"\nchatgpt_base_url = "https://127.0.0.1:4456/backend-api/"\n';

const backups = (dir: string) => fs.readdirSync(dir).filter((name) => name.includes('.codexpool-backup-'));

describe('codexpool codex-config', () => {
	it('prints variant A by default: the built-in provider, the HTTPS origin and the one env line', async () => {
		const result = await runCommand(command, [], withHome({SHELL: '/bin/zsh'}));
		assert.equal(result.code, 0, result.stderr);
		assert.ok(result.stdout.includes(builtinLines));
		assert.doesNotMatch(result.stdout, /^model_provider|\[model_providers/m);
		assert.match(result.stdout, new RegExp(`^export CODEX_CA_CERTIFICATE=${caPath}$`, 'm'));
		assert.ok(result.stdout.includes(`echo 'export CODEX_CA_CERTIFICATE=${caPath}' >> ~/.zshrc`));
		assert.match(result.stdout, /session stays resumable/);
		assert.ok(fs.existsSync(caPath), 'the CA the line names exists');
		const fish = await runCommand(
			command,
			['--port', '5000', '--tls-port', '5001'],
			withHome({SHELL: '/usr/bin/fish'}),
		);
		assert.match(fish.stdout, /openai_base_url = "http:\/\/127\.0\.0\.1:5000\/backend-api\/codex"/);
		assert.match(fish.stdout, /chatgpt_base_url = "https:\/\/127\.0\.0\.1:5001\/backend-api\/"/);
		assert.ok(fish.stdout.includes(`set -Ux CODEX_CA_CERTIFICATE ${caPath}`));
		const v6 = await runCommand(command, ['--host', '::1'], withHome());
		assert.match(v6.stdout, /openai_base_url = "http:\/\/\[::1\]:4455\/backend-api\/codex"/);
		assert.match(v6.stdout, /chatgpt_base_url = "https:\/\/127\.0\.0\.1:4456\/backend-api\/"/);
		const set = await runCommand(command, [], withHome({CODEX_CA_CERTIFICATE: caPath}));
		assert.match(set.stdout, /already set so in this shell/);
		const other = await runCommand(command, [], withHome({CODEX_CA_CERTIFICATE: '/etc/corp-ca.pem'}));
		assert.match(other.stdout, /This shell has CODEX_CA_CERTIFICATE=\/etc\/corp-ca\.pem/);
	});

	it('--provider custom prints the custom provider (variant D) and explains resume', async () => {
		const result = await runCommand(command, ['--provider', 'custom']);
		assert.equal(result.code, 0);
		assert.match(result.stdout, /^model_provider = "codexpool"$/m);
		assert.match(result.stdout, /^chatgpt_base_url = "http:\/\/127\.0\.0\.1:4455\/backend-api\/"$/m);
		assert.ok(result.stdout.includes(expectedTail));
		assert.match(result.stdout, /codex resume.*model_provider/s);
		assert.doesNotMatch(result.stdout, /CODEX_CA_CERTIFICATE|openai_base_url/);
		const other = await runCommand(command, ['--provider', 'custom', '--port', '5000']);
		assert.match(other.stdout, /base_url = "http:\/\/127\.0\.0\.1:5000\/backend-api\/codex"/);
	});

	it('--write creates config.toml when there is none, then changes nothing (both variants)', async () => {
		const {dir, file} = codexHomeWith(undefined);
		const first = await runCommand(command, ['--write'], withHome({CODEX_HOME: dir}));
		assert.equal(first.code, 0, first.stderr);
		assert.equal(fs.readFileSync(file, 'utf8'), builtinLines);
		assert.match(first.stdout, /export CODEX_CA_CERTIFICATE=/);
		const second = await runCommand(command, ['--write'], withHome({CODEX_HOME: dir}));
		assert.match(
			second.stdout,
			/already points Codex CLI at codexpool on http:\/\/127\.0\.0\.1:4455 and https:\/\/127\.0\.0\.1:4456: nothing changed/,
		);
		assert.match(second.stdout, /export CODEX_CA_CERTIFICATE=/);
		assert.deepEqual(backups(dir), []);

		const custom = codexHomeWith(undefined);
		await runCommand(command, ['--write', '--provider', 'custom'], {CODEX_HOME: custom.dir});
		assert.equal(
			fs.readFileSync(custom.file, 'utf8'),
			`model_provider = "codexpool"\nchatgpt_base_url = "http://127.0.0.1:4455/backend-api/"\n\n${expectedTail}`,
		);
		const again = await runCommand(command, ['--write', '--provider', 'custom'], {CODEX_HOME: custom.dir});
		assert.match(again.stdout, /nothing changed/);
	});

	it("switching variants removes the other one's keys and keeps the user's", () => {
		const mine = '# mine\nmodel = "gpt-5.5"\nmodel_provider = "openai"\n\n[features]\nweb_search = true\n';
		const custom = mergeCodexConfig(mine, 4455);
		const builtin = mergeCodexConfig(custom, {port: 4455, tlsPort: 4456});
		assert.equal(
			builtin,
			[
				'# mine',
				'model = "gpt-5.5"',
				'chatgpt_base_url = "https://127.0.0.1:4456/backend-api/"',
				'openai_base_url = "http://127.0.0.1:4455/backend-api/codex"',
				'',
				'[features]',
				'web_search = true',
				'',
				// Kept: sessions recorded through it resume with -c model_provider=codexpool.
				expectedTail,
			].join('\n'),
		);
		assert.equal(mergeCodexConfig(builtin, {port: 4455, tlsPort: 4456}), builtin);
		const back = mergeCodexConfig(builtin, 4455);
		assert.doesNotMatch(back, /openai_base_url/);
		assert.match(back, /^model_provider = "codexpool"$/m);
		assert.match(back, /^chatgpt_base_url = "http:\/\/127\.0\.0\.1:4455\/backend-api\/"$/m);
		const keyed = mergeCodexConfig(builtin, {port: 4455, keyEnv: 'K'});
		assert.doesNotMatch(keyed, /openai_base_url/);
		// Straight from the user's file: model_provider goes (the built-in provider is the default).
		assert.equal(
			mergeCodexConfig(mine, {port: 4455, tlsPort: 4456}),
			`# mine\nmodel = "gpt-5.5"\n${builtinLines}\n[features]\nweb_search = true\n`,
		);
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
		const result = await runCommand(command, ['--write', '--provider', 'custom'], {CODEX_HOME: dir});
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
				'supports_websockets = true',
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
		const again = await runCommand(command, ['--write', '--provider', 'custom'], {CODEX_HOME: dir});
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
				'supports_websockets = true',
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
		const builtin = check(mergeCodexConfig('model = "gpt-5.5"\n', {port: 4455, tlsPort: 4456}));
		assert.equal(builtin.status, 0, builtin.stderr);
	});

	it('refuses forms it cannot edit safely, and bad input, with clear messages', async () => {
		const dotted = codexHomeWith('model_providers.codexpool.base_url = "x"\n');
		const inline = codexHomeWith('[model_providers]\ncodexpool = {name = "x"}\n');
		for (const {dir, file} of [dotted, inline]) {
			const before = fs.readFileSync(file, 'utf8');
			const result = await runCommand(command, ['--write', '--provider', 'custom'], {CODEX_HOME: dir});
			assert.equal(result.code, 1);
			assert.match(result.stderr, /dotted keys or an inline table.*by hand/);
			// Variant A leaves the provider tables alone, so it can write there.
			assert.equal((await runCommand(command, ['--write'], withHome({CODEX_HOME: dir}))).code, 0);
			fs.writeFileSync(file, before);
			assert.equal(fs.readFileSync(file, 'utf8'), before);
		}

		const missing = await runCommand(command, ['--write'], withHome({CODEX_HOME: '/nonexistent/codex'}));
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
			[['--provider', 'openai'], /--provider takes builtin or custom/],
			[['--tls-port', '0'], /--tls-port must be a port number/],
			[['--tls-port', '4455'], /--tls-port must differ from --port/],
			[['--provider', 'builtin', '--key-env', 'K'], /--key-env uses a custom provider/],
		];
		for (const [argv, message] of bad) {
			const result = await runCommand(command, argv, withHome());
			assert.equal(result.code, 2, argv.join(' '));
			assert.match(result.stderr, message);
		}
	});
});

describe('codexpool codex-config without openssl', () => {
	it('falls back to the custom provider and says why', async () => {
		const path = process.env.PATH;
		process.env.PATH = '/nonexistent';
		try {
			const home = tempDir();
			const result = await runCommand(command, [], {CODEXPOOL_HOME: home});
			assert.equal(result.code, 0);
			assert.match(result.stderr, /`openssl` command is not installed/);
			assert.match(result.stderr, /Falling back to the custom provider/);
			assert.match(result.stdout, /^model_provider = "codexpool"$/m);
			assert.doesNotMatch(result.stdout, /CODEX_CA_CERTIFICATE/);
		} finally {
			process.env.PATH = path;
		}
	});
});
