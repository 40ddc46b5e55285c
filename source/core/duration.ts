const units: Readonly<Record<string, number>> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/**
A duration as users type it: `90s`, `10m`, `1h30m`, `500ms`, or a bare number of seconds. Returns
milliseconds; throws an Error with an example for anything else.
*/
export function parseDuration(text: string): number {
	const trimmed = text.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) {
		return Math.round(Number(trimmed) * 1000);
	}

	const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
	if (parts.length === 0 || parts.map((part) => part[0]).join('') !== trimmed) {
		throw new Error(`"${text}" is not a duration: write it like 90s, 10m, 1h30m or 500ms.`);
	}

	return Math.round(parts.reduce((sum, part) => sum + Number(part[1]) * units[part[2]!]!, 0));
}

const SECOND = 1000;
const two = (value: number) => String(value).padStart(2, '0');

/**
A compact duration with at most two units, for every countdown codexpool shows (the TUI, `status`,
`scheduler`): `45s`, `2m05s`, `1h12m`, `3d04h`. Rounds up to the second so a countdown never shows `0s`
while time is left.
*/
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms <= 0) {
		return '0s';
	}

	const seconds = Math.ceil(ms / SECOND);
	if (seconds < 60) {
		return `${seconds}s`;
	}

	if (seconds < 3600) {
		return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
	}

	if (seconds < 86_400) {
		return `${Math.floor(seconds / 3600)}h${two(Math.floor((seconds % 3600) / 60))}m`;
	}

	return `${Math.floor(seconds / 86_400)}d${two(Math.floor((seconds % 86_400) / 3600))}h`;
}
