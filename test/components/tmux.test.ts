import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

// The control center in a real terminal (tmux): what ink-testing-library cannot see, such as lines drawn on
// the wrong rows or keys that arrive together. Drives test/components/preview.tsx (a fake core).

const hasTmux = (() => {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
})();

const root = fileURLToPath(new URL('../..', import.meta.url));
// A server of our own (-L): other tests may use tmux at the same time, and ours must not touch theirs.
const socket = `cxp-tui-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function screenUntil(session: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
	const started = Date.now();
	let screen = '';
	while (Date.now() - started < timeoutMs) {
		screen = tmux('capture-pane', '-p', '-t', session);
		if (pattern.test(screen)) {
			return screen;
		}
		await delay(100);
	}
	assert.fail(`the screen never showed ${pattern}:\n${screen}`);
}

test('in tmux: every account with both bars, p and d change badges, q asks and quits', {
	skip: !hasTmux,
}, async () => {
	const session = `cxp-tui-${process.pid}`;
	tmux(
		'new-session',
		'-d',
		'-s',
		session,
		'-x',
		'110',
		'-y',
		'32',
		`cd '${root}' && NODE_ENV=production node --import tsx test/components/preview.tsx 12; echo "exit $?"; sleep 30`,
	);
	try {
		const first = await screenUntil(session, /account-11 /);
		const rows = first.split('\n').filter((line) => /^[ ▶] account-\d+ /.test(line));
		assert.equal(rows.length, 12);
		for (const row of rows) {
			assert.match(row, /[█▏▎▍▌▋▊▉░]{7}\s+\d+% \S+\s+[█▏▎▍▌▋▊▉░]{7}\s+\d+% /, row);
		}
		const headers = first.split('\n').filter((line) => line.startsWith('codexpool '));
		assert.equal(headers.length, 1, 'one header: frames are not piled up');

		tmux('send-keys', '-t', session, 'j');
		await screenUntil(session, /▶ account-1 /);
		tmux('send-keys', '-t', session, 'p');
		await screenUntil(session, /account-1\s+\S+\s+pinned/);
		// Two keys in one write, as key repeat or a fast typist sends them.
		tmux('send-keys', '-t', session, 'jd');
		await screenUntil(session, /▶ account-2\s+\S+\s+drained/);

		tmux('send-keys', '-t', session, 'q');
		await screenUntil(session, /still running through this proxy; quitting cuts it\. Quit\? y \/ n/);
		tmux('send-keys', '-t', session, 'y');
		await screenUntil(session, /preview: quit cleanly\s+exit 0/);
	} finally {
		tmux('kill-server');
	}
});
