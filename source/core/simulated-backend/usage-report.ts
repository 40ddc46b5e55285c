import type {SimulatedAccount} from './accounts.ts';
import {blockingWindow, reportWindow, type WindowReport, windowSlots} from './quota.ts';

/** The `x-codex-*` headers every backend answer carries (upstream-protocol.md §4). */
export function rateLimitHeaders(account: SimulatedAccount, now: number, idleUsedPercent: number) {
	const [primary, secondary] = windowSlots(account.windows);
	const headers: Record<string, string> = {
		'x-codex-plan-type': account.identity.plan,
		'x-codex-credits-has-credits': 'false',
		'x-codex-credits-unlimited': 'false',
		'x-codex-active-limit': 'codex',
	};
	const put = (slot: string, report: WindowReport) => {
		headers[`x-codex-${slot}-used-percent`] = String(report.usedPercent);
		headers[`x-codex-${slot}-window-minutes`] = String(report.windowMinutes);
		headers[`x-codex-${slot}-reset-at`] = String(report.resetAt);
		headers[`x-codex-${slot}-reset-after-seconds`] = String(report.resetAfterSeconds);
	};

	put('primary', reportWindow(primary, now, idleUsedPercent));
	if (secondary) {
		put('secondary', reportWindow(secondary, now, idleUsedPercent));
	}

	return headers;
}

/** A `codex.rate_limits` event (upstream-protocol.md §4), sent first when `rateLimitsEvent` is on. */
export function rateLimitsEvent(account: SimulatedAccount, now: number, idleUsedPercent: number) {
	const [primary, secondary] = windowSlots(account.windows).map((window) =>
		window ? reportWindow(window, now, idleUsedPercent) : undefined,
	);
	const slot = (report: WindowReport | undefined) =>
		report
			? {used_percent: report.usedPercent, window_minutes: report.windowMinutes, reset_at: report.resetAt}
			: null;
	const limitReached = (primary?.isExhausted ?? false) || (secondary?.isExhausted ?? false);
	return {
		type: 'codex.rate_limits',
		plan_type: account.identity.plan,
		rate_limits: {
			allowed: !limitReached,
			limit_reached: limitReached,
			primary: slot(primary),
			secondary: slot(secondary),
		},
		credits: {has_credits: false, unlimited: false, balance: null},
		promo: null,
	};
}

/** The 429 body of an exhausted account, or undefined while it is usable. */
export function usageLimitBody(account: SimulatedAccount, now: number, idleUsedPercent: number) {
	const window = blockingWindow(account.windows, now);
	return window ? limitBody(account, reportWindow(window, now, idleUsedPercent)) : undefined;
}

export function limitBody(account: SimulatedAccount, report: WindowReport) {
	return {
		error: {
			type: 'usage_limit_reached',
			message: 'The usage limit has been reached',
			plan_type: account.identity.plan,
			resets_at: report.resetAt,
			resets_in_seconds: report.resetAfterSeconds,
		},
	};
}

function usageWindow(report: WindowReport) {
	return {
		used_percent: Math.round(report.usedPercent),
		limit_window_seconds: report.windowMinutes * 60,
		reset_after_seconds: report.resetAfterSeconds,
		reset_at: report.resetAt,
	};
}

/** `GET /backend-api/wham/usage` in the shape of upstream-protocol.md §4. */
export function usageBody(account: SimulatedAccount, now: number, idleUsedPercent: number) {
	const [primary, secondary] = windowSlots(account.windows);
	const primaryReport = reportWindow(primary, now, idleUsedPercent);
	const secondaryReport = secondary ? reportWindow(secondary, now, idleUsedPercent) : undefined;
	const limitReached = primaryReport.isExhausted || (secondaryReport?.isExhausted ?? false);
	return {
		plan_type: account.identity.plan,
		rate_limit: {
			allowed: !limitReached,
			limit_reached: limitReached,
			primary_window: usageWindow(primaryReport),
			secondary_window: secondaryReport ? usageWindow(secondaryReport) : null,
		},
		credits: {has_credits: false, unlimited: false, balance: null},
		...(limitReached ? {rate_limit_reached_type: {type: 'rate_limit_reached'}} : {}),
	};
}

/** `GET /backend-api/wham/accounts/check` in the shape of codex-cli-observed.md §7. */
export function accountsCheckBody(account: SimulatedAccount) {
	const {accountId, plan} = account.identity;
	return {
		accounts: [
			{
				id: accountId,
				name: null,
				structure: 'personal',
				plan_type: plan,
				profile_picture_url: null,
				is_deactivated: false,
				can_access_with_session: true,
				sso_connection_name: null,
				is_fedramp_compliant_workspace: false,
				workspace_backend_origin: 'NO_CONSTRAINT',
				account_routing_override: 'NO_CONSTRAINT',
			},
		],
		default_account_id: accountId,
		account_ordering: [accountId],
	};
}
