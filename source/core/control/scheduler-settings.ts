import {type NamedAccount, resolveAccount} from '../accounts/resolve.ts';
import {canonicalKickPolicyName, DEFAULT_KICK_POLICY, kickPolicyNames} from '../kicks/index.ts';
import type {SchedulerChange} from '../model.ts';
import {validateQuietHours} from '../scheduler/quiet-hours.ts';
import type {SchedulerSettings} from '../store/types.ts';

/** The policies a user may choose for the live scheduler (`none` is the same as turning it off). */
export const schedulerPolicies: readonly string[] = [
	DEFAULT_KICK_POLICY,
	...kickPolicyNames.filter((name) => name !== 'none' && name !== DEFAULT_KICK_POLICY),
];

/**
The settings after `change`, checked: a known policy, valid quiet hours, accounts that exist. Throws an Error
saying what is wrong (nothing is changed then).
*/
export function applySchedulerChange(
	current: SchedulerSettings,
	change: SchedulerChange,
	accounts: readonly NamedAccount[],
): SchedulerSettings {
	const policy = change.policy === undefined ? undefined : canonicalKickPolicyName(change.policy);
	if (change.policy !== undefined && (policy === undefined || !schedulerPolicies.includes(policy))) {
		throw new Error(
			`Unknown kick policy "${change.policy}". Choose one of: ${schedulerPolicies.join(', ')} (turn the scheduler off with \`codexpool scheduler off\`).`,
		);
	}

	if (change.quietHours) {
		validateQuietHours(change.quietHours);
	}

	const ids = change.accounts?.map((name) => resolveAccount(name, accounts).id);
	return {
		enabled: change.enabled ?? current.enabled,
		dryRun: change.dryRun ?? current.dryRun,
		policy: policy ?? current.policy,
		accounts: ids === undefined ? current.accounts : [...new Set(ids)],
		quietHours: change.quietHours === null ? undefined : (change.quietHours ?? current.quietHours),
	};
}

/** Checks a change that arrives over the admin API (any JSON) and returns it typed; throws saying what is wrong. */
export function checkSchedulerChange(value: unknown): SchedulerChange {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error('A scheduler change is an object, e.g. {"enabled": true, "dryRun": false}.');
	}

	const {enabled, dryRun, policy, accounts, quietHours} = value as Record<string, unknown>;
	const fail = (field: string, what: string) => {
		throw new Error(`"${field}" must be ${what}.`);
	};
	if (enabled !== undefined && typeof enabled !== 'boolean') fail('enabled', 'true or false');
	if (dryRun !== undefined && typeof dryRun !== 'boolean') fail('dryRun', 'true or false');
	if (policy !== undefined && typeof policy !== 'string')
		fail('policy', `one of ${schedulerPolicies.join(', ')}`);
	if (accounts !== undefined && !(Array.isArray(accounts) && accounts.every((a) => typeof a === 'string'))) {
		fail('accounts', 'a list of account names or ids');
	}

	if (quietHours !== undefined && quietHours !== null) {
		const span = quietHours as Record<string, unknown>;
		if (typeof span !== 'object' || typeof span.start !== 'string' || typeof span.end !== 'string') {
			fail('quietHours', '{"start": "HH:MM", "end": "HH:MM"} or null');
		}
	}

	return value as SchedulerChange;
}

/** The settings in one line, accounts by name: what the scheduler command and the action report. */
export function describeSchedulerSettings(
	settings: SchedulerSettings,
	accounts: readonly NamedAccount[],
): string {
	const names = settings.accounts.map((id) => accounts.find((account) => account.id === id)?.name ?? id);
	return [
		`Scheduler ${settings.enabled ? 'on' : 'off'}`,
		`policy ${settings.policy}`,
		settings.dryRun ? 'dry run (plans and logs, sends nothing)' : 'sends kicks',
		`accounts: ${names.length === 0 ? 'all' : names.join(', ')}`,
		`quiet hours: ${settings.quietHours ? `${settings.quietHours.start}-${settings.quietHours.end}` : 'none'}`,
	].join('; ');
}

/** "22:00-07:00" as quiet hours; throws an Error naming the expected form otherwise. */
export function parseQuietSpan(text: string): {start: string; end: string} {
	const [start, end, ...rest] = text.split('-').map((part) => part.trim());
	if (start === undefined || end === undefined || rest.length > 0 || start === '' || end === '') {
		throw new Error(
			`Quiet hours are a span of local times, START-END (e.g. 22:00-07:00); "${text}" is not one.`,
		);
	}

	const quiet = {start, end};
	validateQuietHours(quiet);
	return quiet;
}
