import {Box, Text} from 'ink';
import {fit} from './format.ts';
import {visibleWindow} from './scroll.ts';
import {theme} from './theme.ts';

type Props = {
	readonly strategies: readonly {readonly name: string; readonly description: string}[];
	readonly current: string;
	readonly highlighted: number;
	/** Rows the picker may take, border included; the list scrolls to keep the highlighted one in view. */
	readonly maxRows: number;
};

/** The strategies the core offers; ↑↓ to move, Enter to use one, Esc to close. */
export function StrategyPicker({strategies, current, highlighted, maxRows}: Props) {
	const {start, end} = visibleWindow(strategies.length, highlighted, Math.max(1, maxRows - 3));
	const range = end - start < strategies.length ? ` ${start + 1}–${end} of ${strategies.length}` : '';
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.ui.focus} paddingX={1}>
			<Text bold color={theme.text.title}>
				Strategy (↑↓ move · Enter use · Esc close){range}
			</Text>
			{strategies.length === 0 ? (
				<Text color={theme.text.secondary}>The core offers no strategies.</Text>
			) : null}
			{strategies.slice(start, end).map((strategy, offset) => {
				const index = start + offset;
				return (
					<Text key={strategy.name} wrap="truncate-end">
						<Text color={theme.ui.selection} bold>
							{index === highlighted ? '▶ ' : '  '}
						</Text>
						<Text
							bold={index === highlighted}
							color={strategy.name === current ? theme.status.ok : undefined}
						>
							{fit(strategy.name, 24)}
						</Text>
						<Text color={theme.text.secondary}>
							{strategy.name === current ? '(current) ' : ''}
							{strategy.description}
						</Text>
					</Text>
				);
			})}
		</Box>
	);
}
