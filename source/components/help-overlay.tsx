import {Box, Text} from 'ink';
import {type KeyScope, keyLabel, keymap} from './keymap.ts';
import {theme} from './theme.ts';

const modalTitles: Record<Exclude<KeyScope, 'main'>, string> = {
	confirm: 'When asked',
	picker: 'Strategy picker',
	filter: 'Log filter',
	caps: 'Caps prompt',
};

const keysText = (keys: readonly string[]) => keys.map(keyLabel).join(' ');

/**
Every binding of the keymap table: the main keys one per line, each modal prompt's keys on one line, so the
overlay fits a 28-row terminal. `?` or Esc closes it.
*/
export function HelpOverlay() {
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.ui.border} paddingX={1}>
			<Text bold color={theme.text.title}>
				Keys (? or Esc closes)
			</Text>
			{keymap
				.filter((binding) => binding.scope === 'main')
				.map((binding) => (
					<Text key={binding.command} wrap="truncate-end">
						<Text color={theme.text.accent} bold>
							{keysText(binding.keys).padEnd(12)}
						</Text>
						{binding.description}
					</Text>
				))}
			{(Object.keys(modalTitles) as (keyof typeof modalTitles)[]).map((scope) => (
				<Text key={scope} wrap="truncate-end">
					<Text color={theme.text.secondary}>{`${modalTitles[scope]}:`.padEnd(17)}</Text>
					{keymap
						.filter((binding) => binding.scope === scope)
						.map((binding, index) => (
							<Text key={binding.command}>
								{index === 0 ? '' : ' · '}
								<Text color={theme.text.accent} bold>
									{keysText(binding.keys)}
								</Text>{' '}
								{binding.description.toLowerCase()}
							</Text>
						))}
				</Text>
			))}
		</Box>
	);
}
