import {spawn} from 'node:child_process';

/**
Opens `url` in the user's browser when there is one to open: always on macOS and Windows, on other systems
only when a graphical display is set (over SSH there is none). Returns whether it tried.
*/
export function openBrowserIfPossible(
	url: string,
	env: NodeJS.ProcessEnv,
	platform = process.platform,
): boolean {
	let command: [string, ...string[]] | undefined;
	if (platform === 'darwin') {
		command = ['open', url];
	} else if (platform === 'win32') {
		// Not `cmd /c start`: cmd would split the URL at its `&`.
		command = ['rundll32', 'url.dll,FileProtocolHandler', url];
	} else if (env.DISPLAY || env.WAYLAND_DISPLAY) {
		command = ['xdg-open', url];
	}

	if (command === undefined) {
		return false;
	}

	try {
		const child = spawn(command[0], command.slice(1), {detached: true, stdio: 'ignore'});
		child.on('error', () => {
			// No opener installed: the URL is printed anyway.
		});
		child.unref();
		return true;
	} catch {
		return false;
	}
}
