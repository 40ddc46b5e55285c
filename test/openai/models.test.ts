import assert from 'node:assert/strict';
import {test} from 'node:test';
import {OpenAiError} from '../../source/core/openai/errors.ts';
import {modelListBody, publishedModelIds, resolveModel} from '../../source/core/openai/models.ts';
import {upstreamModels} from './helpers.ts';

test('with nothing configured, every listed upstream model is published', () => {
	assert.deepEqual(publishedModelIds(upstreamModels, {publish: [], aliases: {}}), ['gpt-5.5', 'gpt-5.6-sol']);
});

test('publish picks models the upstream knows (hidden ones too); aliases follow when their target exists', () => {
	const settings = {
		publish: ['gpt-5.4-mini', 'gpt-9', 'gpt-5.5'],
		aliases: {fast: 'gpt-5.4-mini', ghost: 'gpt-9'},
	};
	assert.deepEqual(publishedModelIds(upstreamModels, settings), ['gpt-5.4-mini', 'gpt-5.5', 'fast']);
});

test('resolve maps aliases, accepts known models, and 404s the rest', () => {
	const open = {publish: [], aliases: {fast: 'gpt-5.4-mini'}};
	assert.equal(resolveModel('fast', upstreamModels, open), 'gpt-5.4-mini');
	assert.equal(resolveModel('gpt-5.4-mini', upstreamModels, open), 'gpt-5.4-mini');
	assert.throws(
		() => resolveModel('gpt-4o', upstreamModels, open),
		(error: unknown) =>
			error instanceof OpenAiError &&
			error.status === 404 &&
			error.code === 'model_not_found' &&
			/gpt-5.5/.test(error.message),
	);
	const restricted = {publish: ['gpt-5.5'], aliases: {fast: 'gpt-5.4-mini'}};
	assert.throws(() => resolveModel('gpt-5.6-sol', upstreamModels, restricted), OpenAiError);
	assert.equal(resolveModel('fast', upstreamModels, restricted), 'gpt-5.4-mini');
});

test('without an upstream list the name passes to the upstream', () => {
	assert.equal(resolveModel('anything', undefined, {publish: [], aliases: {}}), 'anything');
	assert.equal(resolveModel('a', [], {publish: [], aliases: {a: 'b'}}), 'b');
});

test('the list body has the OpenAI shape', () => {
	assert.deepEqual(modelListBody(['gpt-5.5']), {
		object: 'list',
		data: [{id: 'gpt-5.5', object: 'model', created: 0, owned_by: 'codexpool'}],
	});
});
