/**
The one place that names colours. Views ask for a meaning (ok, warning, error, muted, accent) and never for
a raw colour, so a theme change is one edit here (gemini-cli's semantic tokens).
*/
export const theme = {
	text: {
		primary: undefined,
		secondary: 'gray',
		accent: 'cyan',
		title: 'magenta',
	},
	status: {
		ok: 'green',
		warning: 'yellow',
		error: 'red',
		info: 'blue',
	},
	ui: {
		selection: 'cyan',
		focus: 'cyan',
		border: 'gray',
		empty: 'gray',
		kick: 'magenta',
	},
} as const;

/** A semantic tone; `toneColor` maps it to the theme. */
export type Tone = 'ok' | 'warning' | 'error' | 'info' | 'muted' | 'accent' | 'kick' | 'plain';

export function toneColor(tone: Tone): string | undefined {
	switch (tone) {
		case 'ok':
			return theme.status.ok;
		case 'warning':
			return theme.status.warning;
		case 'error':
			return theme.status.error;
		case 'info':
			return theme.status.info;
		case 'muted':
			return theme.text.secondary;
		case 'accent':
			return theme.text.accent;
		case 'kick':
			return theme.ui.kick;
		case 'plain':
			return theme.text.primary;
	}
}

/** Used percent at or above which a window is shown as near its limit. */
export const warningPercent = 80;

/** The tone of a window at this used percent: ok, warning near the limit, error when exhausted. */
export function usageTone(usedPercent: number): Tone {
	if (usedPercent >= 100) {
		return 'error';
	}
	return usedPercent >= warningPercent ? 'warning' : 'ok';
}
