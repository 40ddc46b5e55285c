import {Text} from 'ink';
import {theme} from './theme.ts';

type Props = {
	readonly title: string;
	readonly isFocused: boolean;
	/** Counts, the filter or the range shown, after the title. */
	readonly detail?: string | undefined;
};

/** A panel's title row; the focused panel (Tab) is highlighted. */
export function PanelTitle({title, isFocused, detail}: Props) {
	return (
		<Text wrap="truncate-end">
			<Text color={isFocused ? theme.ui.focus : theme.text.secondary} bold={isFocused} inverse={isFocused}>
				{` ${title} `}
			</Text>
			{detail === undefined || detail === '' ? '' : <Text color={theme.text.secondary}> {detail}</Text>}
		</Text>
	);
}
