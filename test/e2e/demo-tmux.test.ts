import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';

// `codexpool demo` driven as a person would: in a real terminal (tmux), by keys, reading the screen.
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `codexpool-e2e-${process.pid}`;
const session = 'demo';
const root = path.resolve(import.meta.dirname, '../..');
const exitFile = path.join(mkdtempSync(path.join(tmpdir(), 'codexpool-tmux-')), 'exit');

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const screen = () => tmux('capture-pane', '-t', session, '-p');

async function waitForScreen(
	predicate: (text: string) => boolean,
	what: string,
	timeoutMs = 20_000,
): Promise<string> {
	const started = Date.now();
	let text = '';
	while (Date.now() - started < timeoutMs) {
		text = screen();
		if (predicate(text)) {
			return text;
		}

		await delay(250);
	}

	throw new Error(`Timed out waiting for ${what}. The screen was:\n${text}`);
}

const rowOf = (text: string, name: string) =>
	text.split('\n').find((line) => new RegExp(`^[ ▶] ${name}\\b`).test(line)) ?? '';

after(() => {
	if (hasTmux) {
		spawnSync('tmux', ['-L', socket, 'kill-server']);
	}
});

test('codexpool demo in tmux: every account with both bars, pin and drain by key, q quits', {
	skip: !hasTmux && 'tmux is not installed',
}, async () => {
	tmux(
		'new-session',
		'-d',
		'-s',
		session,
		'-x',
		'120',
		'-y',
		'50',
		`node ${path.join(root, 'bin/codexpool.js')} demo --accounts 3 --speed 240 --seed 3; echo $? > ${exitFile}; sleep 60`,
	);

	const first = await waitForScreen(
		(text) => ['ada', 'grace', 'edsger'].every((name) => /\d+%.*\d+%/.test(rowOf(text, name))),
		'every account with both bars',
	);
	for (const name of ['ada', 'grace', 'edsger']) {
		const row = rowOf(first, name);
		assert.match(row, /\d+%.*\d+%/, `${name} shows a 5-hour and a weekly bar: ${row}`);
	}

	// The selection starts on the first row (ada); pin the second one (edsger, sorted by name).
	tmux('send-keys', '-t', session, 'j');
	tmux('send-keys', '-t', session, 'p');
	const pinned = await waitForScreen((text) => /pinned/.test(rowOf(text, 'edsger')), 'edsger pinned');
	assert.match(rowOf(pinned, 'edsger'), /pinned/);

	// Routing follows the pin: new sessions land on edsger, which was idle, so its 5-hour window fills.
	await waitForScreen(
		(text) => Number(/(\d+)%/.exec(rowOf(text, 'edsger'))?.[1] ?? 0) >= 2,
		'traffic on the pinned account',
		40_000,
	);

	// Drain ada (the first row).
	tmux('send-keys', '-t', session, 'k');
	tmux('send-keys', '-t', session, 'd');
	const drained = await waitForScreen((text) => /drained/.test(rowOf(text, 'ada')), 'ada drained');
	assert.match(rowOf(drained, 'ada'), /drained/);

	tmux('send-keys', '-t', session, 'q');
	// With streams in flight the demo asks first.
	await delay(500);
	if (/Quit\?/.test(screen())) {
		tmux('send-keys', '-t', session, 'y');
	}

	const started = Date.now();
	let code = '';
	while (Date.now() - started < 15_000) {
		try {
			code = readFileSync(exitFile, 'utf8').trim();
			break;
		} catch {
			await delay(200);
		}
	}

	assert.equal(code, '0', `the demo exits cleanly; the screen was:\n${screen()}`);
});
