import assert from 'node:assert/strict';
import {test} from 'node:test';
import {classifyWindow} from '../../source/core/quota/classify.ts';
import {looksIdle} from '../../source/core/quota/idle.ts';
import {parseQuotaHeaders} from '../../source/core/quota/parse-headers.ts';
import {parseRateLimitsEvent, parseWhamUsage, whamPlanType} from '../../source/core/quota/parse-usage.ts';

const T = 1_700_000_000_000; // observation time (ms)
const S = T / 1000; // the same in unix seconds

for (const [minutes, kind] of [
	[300, 'five-hour'],
	[10_080, 'weekly'],
	[60, 'five-hour'],
	[1440, 'five-hour'],
	[7000, 'weekly'],
	[43_200, 'weekly'],
] as const) {
	test(`classify: ${minutes} min is the ${kind} window`, () => {
		assert.equal(classifyWindow(minutes), kind);
	});
}

test('headers: primary and secondary windows with reset-at', () => {
	const quota = parseQuotaHeaders(
		{
			'x-codex-primary-used-percent': '42.5',
			'x-codex-primary-window-minutes': '300',
			'x-codex-primary-reset-at': String(S + 3600),
			'x-codex-secondary-used-percent': '7',
			'x-codex-secondary-window-minutes': '10080',
			'x-codex-secondary-reset-at': String(S + 86_400),
		},
		T,
	);
	assert.deepEqual(quota, {
		fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 42.5, resetAt: T + 3_600_000},
		weekly: {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 7, resetAt: T + 86_400_000},
		observedAt: T,
	});
});

test('headers: a fetch Headers object, reset-after-seconds as the fallback', () => {
	const headers = new Headers({
		'X-Codex-Primary-Used-Percent': '10',
		'X-Codex-Primary-Window-Minutes': '300',
		'X-Codex-Primary-Reset-After-Seconds': '1200',
	});
	const quota = parseQuotaHeaders(headers, T);
	assert.equal(quota?.fiveHour?.resetAt, T + 1_200_000);
	assert.equal(quota?.weekly, undefined);
});

test('headers: a weekly window in the primary slot is weekly (classified by length)', () => {
	const quota = parseQuotaHeaders(
		{
			'x-codex-primary-used-percent': '55',
			'x-codex-primary-window-minutes': '10080',
			'x-codex-primary-reset-at': String(S + 200_000),
		},
		T,
	);
	assert.equal(quota?.fiveHour, undefined);
	assert.equal(quota?.weekly?.usedPercent, 55);
});

test('headers: none of ours → undefined; an unstarted window reads as idle', () => {
	assert.equal(parseQuotaHeaders({'content-type': 'text/event-stream'}, T), undefined);
	const quota = parseQuotaHeaders(
		{
			'x-codex-primary-used-percent': '0',
			'x-codex-primary-window-minutes': '300',
			'x-codex-primary-reset-at': String(S + 18_000),
		},
		T,
	);
	assert.deepEqual(quota?.fiveHour, {
		kind: 'five-hour',
		lengthMinutes: 300,
		usedPercent: 0,
		resetAt: undefined,
		// Kept aside: if a request of ours just started this window, it resets then (quota/started.ts).
		idleResetAt: (S + 18_000) * 1000,
	});
});

const wham = (primary: unknown, secondary: unknown, plan = 'plus') => ({
	plan_type: plan,
	rate_limit: {allowed: true, limit_reached: false, primary_window: primary, secondary_window: secondary},
	credits: null,
});

test('wham: a plus account with both windows', () => {
	const quota = parseWhamUsage(
		wham(
			{used_percent: 30, limit_window_seconds: 18_000, reset_after_seconds: 5000, reset_at: S + 5000},
			{used_percent: 12, limit_window_seconds: 604_800, reset_after_seconds: 90_000, reset_at: S + 90_000},
		),
		T,
	);
	assert.equal(quota?.fiveHour?.usedPercent, 30);
	assert.equal(quota?.fiveHour?.resetAt, T + 5_000_000);
	assert.equal(quota?.weekly?.lengthMinutes, 10_080);
	assert.equal(quota?.weekly?.resetAt, T + 90_000_000);
});

test('wham: a free plan reports its weekly window in the primary slot, secondary null', () => {
	const body = wham({used_percent: 64, limit_window_seconds: 604_800, reset_at: S + 100_000}, null, 'free');
	const quota = parseWhamUsage(body, T);
	assert.equal(quota?.fiveHour, undefined);
	assert.deepEqual(quota?.weekly, {
		kind: 'weekly',
		lengthMinutes: 10_080,
		usedPercent: 64,
		resetAt: T + 100_000_000,
	});
	assert.equal(whamPlanType(body), 'free');
});

test('wham: reset_after_seconds when reset_at is missing; no rate_limit → undefined', () => {
	const quota = parseWhamUsage(
		wham({used_percent: 5, limit_window_seconds: 18_000, reset_after_seconds: 600}, null),
		T,
	);
	assert.equal(quota?.fiveHour?.resetAt, T + 600_000);
	assert.equal(parseWhamUsage({plan_type: 'plus'}, T), undefined);
	assert.equal(parseWhamUsage('garbage', T), undefined);
});

test('wham: an unstarted window keeps sliding its reset, and reads as idle every time', () => {
	for (const later of [0, 600_000, 3_600_000]) {
		const at = T + later;
		const quota = parseWhamUsage(
			wham(
				{used_percent: 0, limit_window_seconds: 18_000, reset_at: Math.round(at / 1000) + 18_000},
				{used_percent: 1, limit_window_seconds: 604_800, reset_at: Math.round(at / 1000) + 604_800 - 30},
			),
			at,
		);
		assert.equal(quota?.fiveHour?.resetAt, undefined, `5h at +${later}`);
		assert.equal(quota?.weekly?.resetAt, undefined, `weekly at +${later}`);
		assert.equal(quota?.weekly?.usedPercent, 0);
	}
});

test('idle detection: a started window (fixed reset, or more than 1% used) is not idle', () => {
	const window = {kind: 'five-hour', lengthMinutes: 300, usedPercent: 0.5, resetAt: T + 18_000_000} as const;
	assert.equal(looksIdle(window, T), true);
	assert.equal(looksIdle(window, T + 600_000), false, 'ten minutes later the reset has not moved');
	assert.equal(looksIdle({...window, usedPercent: 2}, T), false);
	assert.equal(looksIdle({...window, resetAt: T + 18_000_000 + 90_000}, T), true, 'within the tolerance');
});

test('event: codex.rate_limits, a 60-minute window counts as the five-hour one', () => {
	const quota = parseRateLimitsEvent(
		{
			type: 'codex.rate_limits',
			plan_type: 'plus',
			rate_limits: {
				allowed: true,
				limit_reached: false,
				primary: {used_percent: 42, window_minutes: 60, reset_at: S + 1000},
				secondary: null,
			},
		},
		T,
	);
	assert.deepEqual(quota, {
		fiveHour: {kind: 'five-hour', lengthMinutes: 60, usedPercent: 42, resetAt: T + 1_000_000},
		weekly: undefined,
		observedAt: T,
	});
	assert.equal(parseRateLimitsEvent({type: 'response.created'}, T), undefined);
});
