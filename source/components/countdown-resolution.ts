import type {CoreSnapshot} from '../core/contract.ts';
import type {LowerPanel} from './ui-state.ts';

const HOUR = 3_600_000;

/**
How often the screen's time-based text can change: every second while anything it shows counts down (or
up) in seconds, that is within the hour (`12m05s`, `45s ago`); otherwise every minute (`4h59m`, `idle`).
A quiet pool with idle windows then costs one frame a minute instead of one a second.
*/
export function countdownResolution(snapshot: CoreSnapshot, now: number, lower: LowerPanel): number {
	const withinTheHour = (at: number | undefined) => at !== undefined && at > now && at - now < HOUR;
	const countingDown = snapshot.accounts.some(
		(account) =>
			withinTheHour(account.fiveHour?.resetAt) ||
			withinTheHour(account.weekly?.resetAt) ||
			withinTheHour(account.fiveHour?.exhaustsAt) ||
			withinTheHour(account.weekly?.exhaustsAt) ||
			((account.state.kind === 'cooling' || account.state.kind === 'exhausted') &&
				withinTheHour(account.state.until)),
	);
	const kickSoon =
		snapshot.scheduler.enabled && snapshot.scheduler.nextKicks.some((kick) => withinTheHour(kick.at));
	const recentSession =
		lower === 'sessions' && snapshot.sessions.some((session) => now - session.lastActivityAt < HOUR);
	return countingDown || kickSoon || recentSession ? 1000 : 60_000;
}
