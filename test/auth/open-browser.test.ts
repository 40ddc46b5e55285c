import assert from 'node:assert/strict';
import {it} from 'node:test';
import {openBrowserIfPossible} from '../../source/core/auth/open-browser.ts';

it('does not try to open a browser on a system without a display (SSH, containers)', () => {
	assert.equal(openBrowserIfPossible('http://127.0.0.1:1/x', {}, 'linux'), false);
	assert.equal(openBrowserIfPossible('http://127.0.0.1:1/x', {SSH_CONNECTION: '1 2 3 4'}, 'freebsd'), false);
});
