import {Text} from 'ink';
import {footerEntries} from './keymap.ts';
import {theme} from './theme.ts';

const entries = footerEntries();

/** The keys, from the one keymap table, on one row that truncates on a narrow terminal. */
export function Footer() {
	return (
		<Text wrap="truncate-end">
			{entries.map((entry, index) => (
				<Text key={entry.label}>
					{index === 0 ? '' : '  '}
					<Text color={theme.text.accent} bold>
						{entry.keys}
					</Text>
					<Text color={theme.text.secondary}> {entry.label}</Text>
				</Text>
			))}
		</Text>
	);
}
