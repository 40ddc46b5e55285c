import {parseArgs} from 'node:util';
import {createScaledClock} from '../clock.ts';
import {startSimulatedUpstream} from './server.ts';

/**
Runs the simulated upstream in its own process, with the control API on, so a benchmark or soak measures the
proxy alone:

  node --import tsx source/core/simulated-backend/standalone.ts --accounts 2 --delta-count 300

Prints one JSON line `{url, backendUrl, issuerUrl, tokenUrl, accounts: [{name, accountId, authJson}]}` on
stdout once listening, then serves until SIGTERM/SIGINT. Quotas, settings and the log are driven through
`/__sim/*` (see control.ts).
*/
const {values} = parseArgs({
	options: {
		port: {type: 'string', default: '0'},
		accounts: {type: 'string', default: '2'},
		'delta-count': {type: 'string'},
		'five-hour-limit': {type: 'string'},
		'weekly-limit': {type: 'string'},
		'access-token-lifetime-ms': {type: 'string'},
		speed: {type: 'string', default: '1'},
		'log-limit': {type: 'string', default: '1000'},
		'log-bodies': {type: 'boolean', default: false},
	},
});

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
// `--accounts 3` names them a, b, c; `--accounts alice,bob` names them.
const names = /^\d+$/.test(values.accounts)
	? Array.from(
			{length: Number(values.accounts)},
			(_, i) => String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : ''),
		)
	: values.accounts.split(',').filter(Boolean);

const upstream = await startSimulatedUpstream({
	port: Number(values.port),
	clock: createScaledClock(Number(values.speed)),
	deltaCount: number(values['delta-count']),
	accessTokenLifetimeMs: number(values['access-token-lifetime-ms']),
	logLimit: Number(values['log-limit']),
	logBodies: values['log-bodies'],
	control: true,
	accounts: names.map((name) => ({
		name,
		fiveHourLimit: number(values['five-hour-limit']),
		weeklyLimit: number(values['weekly-limit']),
	})),
});

process.stdout.write(
	`${JSON.stringify({
		url: upstream.url,
		backendUrl: upstream.backendUrl,
		issuerUrl: upstream.issuerUrl,
		tokenUrl: upstream.tokenUrl,
		accounts: upstream.accounts
			.list()
			.map(({name, accountId}) => ({name, accountId, authJson: upstream.accounts.authJson(name)})),
	})}\n`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.once(signal, () => {
		void upstream.close().then(() => process.exit(0));
	});
}
