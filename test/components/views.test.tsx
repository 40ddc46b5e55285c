import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import {AccountsPanel} from '../../source/components/accounts-panel.tsx';
import {Header} from '../../source/components/header.tsx';
import {HelpOverlay} from '../../source/components/help-overlay.tsx';
import {keymap} from '../../source/components/keymap.ts';
import {NoticesList} from '../../source/components/notices-list.tsx';
import {Onboarding} from '../../source/components/onboarding.tsx';
import {RequestLog} from '../../source/components/request-log.tsx';
import {SessionsTable} from '../../source/components/sessions-table.tsx';
import {StrategyPicker} from '../../source/components/strategy-picker.tsx';
import {Timeline} from '../../source/components/timeline.tsx';
import {HOUR, MINUTE, makeAccount, makeSnapshot, T0} from '../helpers/fake-core.ts';
import {busyPool} from './fixtures.ts';
import {plain} from './render-with-core.tsx';

afterEach(() => cleanup());

const pool = makeSnapshot(busyPool());
const names = new Map(pool.accounts.map((account) => [account.id, account.name]));
const lines = (frame: string | undefined) => plain(frame).split('\n');

test('the accounts panel shows every account with both bars, badges and forecasts', () => {
	const {lastFrame} = render(
		<AccountsPanel accounts={pool.accounts} selectedId="acc-bob" now={T0} isFocused maxRows={20} />,
	);
	const frame = plain(lastFrame());
	const row = (name: string) => lines(frame).find((line) => line.includes(` ${name} `)) ?? '';
	assert.match(
		row('alice'),
		/alice\s+pro\s+active\s+█+▊░\s+82% 1h12m\s+█▌░+\s+21% 5d00h\s+3\s+runs out in 48m/,
	);
	assert.match(row('bob'), /^▶ bob\s+plus\s+pinned\s+.*12% 4h00m .* 0% idle .*lasts/);
	assert.match(row('carol'), /cooling 2m05s/);
	assert.match(row('dave'), /exhausted 2h00m\s+█{7}\s+100% 2h00m/);
	assert.match(row('erin'), /needs login/);
	assert.match(row('frank'), /drained/);
	assert.match(row('gina'), /evicted/);
	assert.match(frame, /Accounts\s+7/);
	for (const line of lines(frame)) {
		assert.ok([...line].length <= 100, line);
	}
});

test('the accounts panel scrolls to keep the selection visible', () => {
	const many = Array.from({length: 20}, (_, index) => makeAccount({id: `acc-${index}`, name: `n${index}`}));
	const {lastFrame} = render(
		<AccountsPanel accounts={many} selectedId="acc-15" now={T0} isFocused={false} maxRows={5} />,
	);
	const frame = plain(lastFrame());
	assert.match(frame, /14–18 of 20/);
	assert.match(frame, /▶ n15 /);
	assert.doesNotMatch(frame, / n0 /);
	assert.equal(lines(frame).filter((line) => /^[ ▶] n\d/.test(line)).length, 5);
});

test('the header shows mode, proxy, strategy, scheduler with next kick, and totals', () => {
	const {lastFrame} = render(<Header snapshot={pool} now={T0} />);
	const frame = plain(lastFrame());
	assert.match(
		frame,
		/codexpool demo \(simulated upstream\) · proxy http:\/\/127\.0\.0\.1:4455 · strategy least-used/,
	);
	assert.match(frame, /scheduler on \(stagger\) · next kick bob in 1h30m · 2 planned/);
	assert.match(
		frame,
		/requests 1,234 · tokens 1\.2M in \/ 34k out · sessions 12 · moves 3 · failovers 1 · in flight 2/,
	);
});

test('the header says when the scheduler is off and when attached', () => {
	const snapshot = makeSnapshot({
		mode: 'attached',
		proxyUrl: undefined,
		scheduler: {enabled: false, dryRun: false, policy: 'stagger', quietHours: undefined, nextKicks: []},
	});
	const frame = plain(render(<Header snapshot={snapshot} now={T0} />).lastFrame());
	assert.match(frame, /attached to daemon · proxy not listening/);
	assert.match(frame, /scheduler off/);
});

test('the timeline marks resets and kicks on one scale and toggles to 7 days', () => {
	const {lastFrame, rerender} = render(
		<Timeline
			accounts={pool.accounts}
			kicks={pool.scheduler.nextKicks}
			now={T0}
			span="5h"
			width={100}
			selectedId="acc-alice"
			maxRows={12}
		/>,
	);
	let frame = plain(lastFrame());
	const track = (name: string) => (lines(frame).find((line) => line.startsWith(`${name} `)) ?? '').slice(13);
	assert.match(frame, /^ {13}now\s+\+1h\s+\+2h\s+\+3h\s+\+4h\s+\+5h$/m);
	// 86 cells for 5 hours: alice resets after 72 min (column 20), bob after 4 h (68); bob's kick at 1h30
	// falls inside his running window, a stale plan (issue 17): it is not drawn.
	assert.equal(track('alice').indexOf('|'), 20);
	assert.equal(track('bob').indexOf('|'), 68);
	assert.equal(track('bob').indexOf('K'), -1);
	assert.equal(track('erin').indexOf('K'), 34);
	assert.match(track('carol'), /^\.+$/);
	assert.match(frame, /planned kick/);
	rerender(
		<Timeline
			accounts={pool.accounts}
			kicks={pool.scheduler.nextKicks}
			now={T0}
			span="7d"
			width={100}
			selectedId="acc-alice"
			maxRows={12}
		/>,
	);
	frame = plain(lastFrame());
	assert.match(frame, /\+1d.*\+7d/);
	assert.equal(track('alice').indexOf('W'), Math.floor((5 / 7) * 86));
});

test('the sessions table lists in-flight sessions first with cached share and moves', () => {
	const {lastFrame} = render(
		<SessionsTable sessions={pool.sessions} accountNames={names} now={T0} offset={0} maxRows={10} />,
	);
	const frame = lines(lastFrame());
	assert.match(
		frame[0] ?? '',
		/session\s+client\s+via\s+account\s+turns\s+in\s+out\s+cached\s+moves\s+last activity/,
	);
	assert.match(
		frame[1] ?? '',
		/^● sess-live\s+codex_exec\s+ws\s+alice\s+4\s+12k\s+1\.5k\s+75%\s+2\s+12s ago/,
	);
	assert.match(
		frame[2] ?? '',
		/^ {2}sess-old\s+openai-node\s+http\s+bob\s+1\s+1k\s+100\s+0%\s+0\s+5m00s ago/,
	);
});

test('an empty sessions table says how sessions appear', () => {
	const frame = plain(
		render(<SessionsTable sessions={[]} accountNames={names} now={T0} offset={0} maxRows={5} />).lastFrame(),
	);
	assert.match(frame, /No sessions yet/);
});

test('the request log is newest first with status, ttfb, tokens and failovers', () => {
	const {lastFrame} = render(
		<RequestLog entries={pool.requests} accountNames={names} filter="" offset={0} maxRows={10} />,
	);
	const frame = lines(lastFrame());
	assert.match(frame[0] ?? '', /time\s+session\s+account\s+model\s+code\s+ttfb\s+tokens i\/o\s+note/);
	assert.match(frame[1] ?? '', /sess-live\s+alice\s+gpt-5-codex\s+200\s+300ms 1k\/100/);
	assert.match(frame[2] ?? '', /sess-old\s+bob\s+gpt-5\s+429\s+300ms .*usage_limit_reached/);
	assert.match(frame[3] ?? '', /1\.5s .*failed over from dave/);
});

test('the log filter matches account names, models and statuses', () => {
	const show = (filter: string) =>
		plain(
			render(
				<RequestLog entries={pool.requests} accountNames={names} filter={filter} offset={0} maxRows={10} />,
			).lastFrame(),
		);
	assert.equal(lines(show('BOB')).length, 2);
	assert.match(show('bob'), /429/);
	assert.doesNotMatch(show('bob'), /alice/);
	assert.equal(lines(show('429')).length, 2);
	assert.equal(lines(show('gpt-5')).length, 4);
	assert.match(show('nothing-like-this'), /No request matches “nothing-like-this”/);
});

test('notices are listed newest first with their level', () => {
	const frame = lines(render(<NoticesList notices={pool.notices} offset={0} maxRows={5} />).lastFrame());
	assert.match(frame[0] ?? '', /warn\s+sess-live moved from dave to alice/);
	assert.match(frame[1] ?? '', /error\s+erin needs login/);
	assert.match(plain(render(<NoticesList notices={[]} offset={0} maxRows={5} />).lastFrame()), /No notices/);
});

test('onboarding explains import, login and the demo', () => {
	const frame = plain(render(<Onboarding proxyUrl="http://127.0.0.1:4455" />).lastFrame());
	assert.match(frame, /no accounts yet/);
	assert.match(frame, /codexpool import ~\/\.codex/);
	assert.match(frame, /codexpool login/);
	assert.match(frame, /codexpool demo/);
	assert.match(frame, /listens on http:\/\/127\.0\.0\.1:4455/);
});

test('the help overlay lists every binding of the keymap', () => {
	const frame = plain(render(<HelpOverlay />).lastFrame());
	for (const binding of keymap) {
		assert.ok(frame.toLowerCase().includes(binding.description.toLowerCase()), binding.description);
	}
	assert.match(frame, /When asked:\s+y Y confirm · n N Esc cancel/);
	assert.match(frame, /K\s+Kick the selected account now/);
});

test('the strategy picker marks the current strategy and the highlighted one', () => {
	const frame = lines(
		render(
			<StrategyPicker strategies={pool.strategies} current="least-used" highlighted={1} maxRows={10} />,
		).lastFrame(),
	);
	assert.ok(frame.some((line) => /least-used\s+\(current\) the account with the most room left/.test(line)));
	assert.ok(frame.some((line) => /▶ round-robin/.test(line)));
});

test('countdowns use minutes and hours consistently in every view', () => {
	const account = makeAccount({
		id: 'x',
		state: {kind: 'cooling', until: T0 + HOUR + 30 * MINUTE, reason: '5xx'},
	});
	const frame = plain(
		render(<AccountsPanel accounts={[account]} selectedId="x" now={T0} isFocused maxRows={3} />).lastFrame(),
	);
	assert.match(frame, /cooling 1h30m/);
});

test('a long strategy list scrolls inside its rows', () => {
	const strategies = Array.from({length: 20}, (_, index) => ({
		name: `strategy-${index}`,
		description: `number ${index}`,
	}));
	const frame = plain(
		render(
			<StrategyPicker strategies={strategies} current="strategy-0" highlighted={15} maxRows={8} />,
		).lastFrame(),
	);
	assert.equal(lines(frame).length, 8);
	assert.match(frame, /▶ strategy-15 /);
	assert.match(frame, /14–18 of 20/);
	assert.doesNotMatch(frame, /strategy-0 /);
});
