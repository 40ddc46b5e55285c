import {Text} from 'ink';
import {type Tone, toneColor} from './theme.ts';

/** A transient message: an action's result, a pending action, or a prompt. */
export type Status = {readonly text: string; readonly tone: Tone};

type Props = {
	readonly status: Status | undefined;
};

export function StatusLine({status}: Props) {
	return (
		<Text wrap="truncate-end" color={status === undefined ? undefined : toneColor(status.tone)}>
			{status?.text ?? ' '}
		</Text>
	);
}
