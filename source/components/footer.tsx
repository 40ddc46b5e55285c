import {Text} from 'ink';
import {footerEntries} from './keymap.ts';
import {theme} from './theme.ts';

type Entry = {readonly keys: string; readonly label: string};

const gap = 2;
const entryWidth = (entry: Entry) => [...entry.keys].length + 1 + [...entry.label].length;

/**
The entries that fit `width` columns, in table order; the last ones (help and quit) always stay, so `?` can
reveal whatever a narrow terminal had to leave out.
*/
export function fittingEntries(entries: readonly Entry[], width: number, kept = 2): Entry[] {
	const tail = entries.slice(-kept);
	let used = tail.reduce((sum, entry) => sum + entryWidth(entry) + gap, 0) - gap;
	const head: Entry[] = [];
	for (const entry of entries.slice(0, -kept)) {
		if (used + gap + entryWidth(entry) > width) {
			break;
		}
		head.push(entry);
		used += gap + entryWidth(entry);
	}
	return [...head, ...tail];
}

type Props = {
	readonly width: number;
};

/** The keys, from the one keymap table, on one row. */
export function Footer({width}: Props) {
	const entries = fittingEntries(footerEntries(), width);
	return (
		<Text wrap="truncate-end">
			{entries.map((entry, index) => (
				<Text key={entry.label}>
					{index === 0 ? '' : ' '.repeat(gap)}
					<Text color={theme.text.accent} bold>
						{entry.keys}
					</Text>
					<Text color={theme.text.secondary}> {entry.label}</Text>
				</Text>
			))}
		</Text>
	);
}
