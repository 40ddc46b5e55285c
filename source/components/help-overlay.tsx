import {Box, Text} from 'ink';
import {type KeyScope, keyLabel, keymap} from './keymap.ts';
import {theme} from './theme.ts';

const scopeTitles: Record<KeyScope, string> = {
	main: 'Control center',
	confirm: 'When asked to confirm',
	picker: 'In the strategy picker',
	filter: 'While typing a log filter',
};

const scopes: readonly KeyScope[] = ['main', 'confirm', 'picker', 'filter'];

/** Every binding of the keymap table, grouped by where it applies. `?` or Esc closes it. */
export function HelpOverlay() {
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.ui.border} paddingX={1}>
			<Text bold color={theme.text.title}>
				Keys (? or Esc closes)
			</Text>
			{scopes.map((scope) => (
				<Box key={scope} flexDirection="column">
					<Text color={theme.text.secondary}>{scopeTitles[scope]}</Text>
					{keymap
						.filter((binding) => binding.scope === scope)
						.map((binding) => (
							<Text key={`${scope}-${binding.command}`} wrap="truncate-end">
								{'  '}
								<Text color={theme.text.accent} bold>
									{binding.keys.map(keyLabel).join(' ').padEnd(14)}
								</Text>
								{binding.description}
							</Text>
						))}
				</Box>
			))}
		</Box>
	);
}
