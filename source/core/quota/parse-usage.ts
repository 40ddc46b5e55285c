import {buildQuota, type RawWindow, toNumber} from './build.ts';
import type {AccountQuota} from './types.ts';

/*
The two JSON shapes that carry quota: the `/wham/usage` body and the `codex.rate_limits` stream event
(upstream-protocol.md §4). Both are parsed defensively: the input is whatever the network gave us.
*/

/**
The quota in a `/wham/usage` body: `rate_limit.primary_window` / `secondary_window` with `used_percent`,
`limit_window_seconds`, `reset_at` (unix s) or `reset_after_seconds`. Undefined if it has no rate limit.
On free plans the weekly window arrives in the primary slot with a null secondary: classified by length.
*/
export function parseWhamUsage(body: unknown, observedAt: number): AccountQuota | undefined {
	const rateLimit = field(body, 'rate_limit');
	if (!isObject(rateLimit)) {
		return undefined;
	}

	return buildQuota(
		{
			primary: whamWindow(field(rateLimit, 'primary_window')),
			secondary: whamWindow(field(rateLimit, 'secondary_window')),
		},
		observedAt,
	);
}

/** The plan a `/wham/usage` body names (`plan_type`), if any. */
export function whamPlanType(body: unknown): string | undefined {
	const plan = field(body, 'plan_type');
	return typeof plan === 'string' ? plan : undefined;
}

/**
The quota in a `codex.rate_limits` event: `rate_limits.primary` / `secondary` with `used_percent`,
`window_minutes`, `reset_at` (unix s; `reset_after_seconds` or `resets_in_seconds` as a fallback).
Undefined for any other event or one without rate limits.
*/
export function parseRateLimitsEvent(event: unknown, observedAt: number): AccountQuota | undefined {
	if (field(event, 'type') !== 'codex.rate_limits') {
		return undefined;
	}

	const rateLimits = field(event, 'rate_limits');
	if (!isObject(rateLimits)) {
		return undefined;
	}

	return buildQuota(
		{
			primary: eventWindow(field(rateLimits, 'primary')),
			secondary: eventWindow(field(rateLimits, 'secondary')),
		},
		observedAt,
	);
}

function whamWindow(value: unknown): RawWindow | undefined {
	const usedPercent = toNumber(field(value, 'used_percent'));
	if (usedPercent === undefined) {
		return undefined;
	}

	const seconds = toNumber(field(value, 'limit_window_seconds'));
	return {
		usedPercent,
		lengthMinutes: seconds === undefined ? undefined : seconds / 60,
		resetAt: unixSecondsToMs(field(value, 'reset_at')),
		resetAfterSeconds: toNumber(field(value, 'reset_after_seconds')),
	};
}

function eventWindow(value: unknown): RawWindow | undefined {
	const usedPercent = toNumber(field(value, 'used_percent'));
	if (usedPercent === undefined) {
		return undefined;
	}

	return {
		usedPercent,
		lengthMinutes: toNumber(field(value, 'window_minutes')),
		resetAt: unixSecondsToMs(field(value, 'reset_at')),
		resetAfterSeconds:
			toNumber(field(value, 'reset_after_seconds')) ?? toNumber(field(value, 'resets_in_seconds')),
	};
}

function unixSecondsToMs(value: unknown): number | undefined {
	const seconds = toNumber(value);
	return seconds === undefined ? undefined : seconds * 1000;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
	return isObject(value) ? value[name] : undefined;
}
