import {type RenderAppOptions, renderApp} from '../components/render-app.tsx';
import type {Core} from '../core/contract.ts';

/**
Shows the control center for `core` until the user quits (or SIGTERM arrives), then runs `cleanup` whatever
happened: the command that made the core owns it and everything around it.
*/
export async function showUntilQuit(
	core: Core,
	options: RenderAppOptions,
	cleanup: () => Promise<void>,
): Promise<void> {
	const app = renderApp(core, options);
	const stop = () => app.unmount();
	process.once('SIGTERM', stop);
	try {
		await app.waitUntilExit();
	} finally {
		process.off('SIGTERM', stop);
		await cleanup();
	}
}
