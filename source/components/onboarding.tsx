import {Box, Text} from 'ink';
import {theme} from './theme.ts';

type Props = {
	readonly proxyUrl: string | undefined;
};

/** What to do when the pool has no account yet: three ways in, one command each. */
export function Onboarding({proxyUrl}: Props) {
	const step = (command: string, text: string) => (
		<Text wrap="truncate-end">
			{'  '}
			<Text color={theme.text.accent} bold>
				{command.padEnd(28)}
			</Text>
			{text}
		</Text>
	);
	return (
		<Box flexDirection="column" paddingY={1}>
			<Text bold color={theme.text.title}>
				Welcome to codexpool: no accounts yet.
			</Text>
			<Text color={theme.text.secondary}>
				Add ChatGPT/Codex accounts and this screen becomes the control center. Three ways in:
			</Text>
			<Text> </Text>
			{step('codexpool import ~/.codex', 'import the login Codex CLI already has (auth.json)')}
			{step('codexpool login', 'log in to another ChatGPT account in the browser (--device: by code)')}
			{step('codexpool demo', 'try everything on a simulated upstream, no account needed')}
			<Text> </Text>
			<Text color={theme.text.secondary}>
				{proxyUrl === undefined
					? 'Run them in another terminal; accounts appear here as soon as they are added.'
					: `The proxy already listens on ${proxyUrl}; accounts appear here as soon as they are added.`}
			</Text>
		</Box>
	);
}
