import {monitorEventLoopDelay} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {createScaledClock} from '../../source/core/clock.ts';
import {startEmbeddedCore} from '../../source/core/core.ts';
import {openStore} from '../../source/core/store/store.ts';

/**
The whole pool (`startEmbeddedCore`) alone in its own process, so the soak measures the proxy's memory and
sockets without the load generator's or the simulated upstream's. Started with an IPC channel:

  fork('bench/reliability/proxy-process.ts', ['--home', DIR, '--upstream', URL, '--issuer', URL])

Prints one JSON line `{url, pid}` once listening. Sends every request-log entry, move and notice to the
parent as `{type: 'request' | 'move' | 'notice', payload}` messages; answers `{type: 'stats'}` with its
`process.memoryUsage()` and event-loop delay; stops cleanly on `{type: 'stop'}` (then exits 0).

`--speed` and `--clock-start` give it the same accelerated clock as the upstream: `--clock-start` is the
clock's reading at the real moment `--clock-epoch` (Date.now() of the parent when it made its clock).
*/
const {values} = parseArgs({
	options: {
		home: {type: 'string'},
		upstream: {type: 'string'},
		issuer: {type: 'string'},
		speed: {type: 'string', default: '1'},
		'clock-start': {type: 'string'},
		'clock-epoch': {type: 'string'},
	},
});

if (values.home === undefined || values.upstream === undefined || values.issuer === undefined) {
	process.stderr.write('proxy-process: --home, --upstream and --issuer are required.\n');
	process.exit(2);
}

const speed = Number(values.speed);
const epoch = Number(values['clock-epoch'] ?? Date.now());
const start = Number(values['clock-start'] ?? epoch);
// The parent's clock read `start` at real time `epoch`; it has advanced since by (now − epoch) × speed.
const clock = createScaledClock(speed, start + (Date.now() - epoch) * speed);

const core = await startEmbeddedCore({
	store: openStore(values.home),
	upstream: values.upstream,
	issuer: values.issuer,
	clock,
	port: 0,
	watchStore: false,
});

// How long the proxy's own event loop stalled: a slow /healthz is the machine's or the proxy's.
const loopDelay = monitorEventLoopDelay({resolution: 10});
loopDelay.enable();

const send = (message: unknown) => {
	if (process.connected) {
		process.send?.(message);
	}
};

core.on('request', (payload) => send({type: 'request', payload}));
core.on('move', (payload) => send({type: 'move', payload}));
core.on('notice', (payload) => send({type: 'notice', payload}));

process.on('message', (message: {type?: string}) => {
	if (message?.type === 'stats') {
		send({
			type: 'stats',
			payload: {
				memory: process.memoryUsage(),
				loopDelayMaxMs: loopDelay.max / 1e6,
				loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
			},
		});
	} else if (message?.type === 'stop') {
		void core.stop().then(() => process.exit(0));
	}
});
process.on('disconnect', () => {
	void core.stop().then(() => process.exit(0));
});

process.stdout.write(`${JSON.stringify({url: core.url, pid: process.pid})}\n`);
