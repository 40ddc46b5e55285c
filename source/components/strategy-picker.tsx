import {Box, Text} from 'ink';
import {fit} from './format.ts';
import {theme} from './theme.ts';

type Props = {
	readonly strategies: readonly {readonly name: string; readonly description: string}[];
	readonly current: string;
	readonly highlighted: number;
};

/** The strategies the core offers; ↑↓ to move, Enter to use one, Esc to close. */
export function StrategyPicker({strategies, current, highlighted}: Props) {
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.ui.focus} paddingX={1}>
			<Text bold color={theme.text.title}>
				Strategy (↑↓ move · Enter use · Esc close)
			</Text>
			{strategies.length === 0 ? (
				<Text color={theme.text.secondary}>The core offers no strategies.</Text>
			) : null}
			{strategies.map((strategy, index) => (
				<Text key={strategy.name} wrap="truncate-end">
					<Text color={theme.ui.selection} bold>
						{index === highlighted ? '▶ ' : '  '}
					</Text>
					<Text bold={index === highlighted} color={strategy.name === current ? theme.status.ok : undefined}>
						{fit(strategy.name, 20)}
					</Text>
					<Text color={theme.text.secondary}>
						{strategy.name === current ? '(current) ' : ''}
						{strategy.description}
					</Text>
				</Text>
			))}
		</Box>
	);
}
