#!/usr/bin/env node
// Fails when the modules under a folder (default source/) import each other in a cycle. Every import counts:
// type-only imports, re-exports and lazy `import()` too, because a cycle of types is still two modules that
// cannot be understood (or moved) one without the other. Part of `npm run lint`.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import ts from 'typescript';

const extensions = ['.ts', '.tsx'];

/** Every .ts/.tsx file under `root` and the files of that set each one imports (relative imports only). */
export function importGraph(root) {
	const files = fs
		.readdirSync(root, {recursive: true})
		.map((entry) => path.join(root, entry))
		.filter((file) => extensions.includes(path.extname(file)) && !file.endsWith('.d.ts'))
		.sort();
	const known = new Set(files);
	const graph = new Map();
	for (const file of files) {
		const {importedFiles} = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
		const targets = importedFiles
			.map(({fileName}) => fileName)
			.filter((specifier) => specifier.startsWith('.'))
			.map((specifier) => resolve(path.dirname(file), specifier, known))
			.filter((target) => target !== undefined);
		graph.set(file, [...new Set(targets)]);
	}

	return graph;
}

function resolve(directory, specifier, known) {
	const base = path.join(directory, specifier);
	const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx')];
	candidates.push(...extensions.map((extension) => `${base}${extension}`));
	candidates.push(...extensions.map((extension) => path.join(base, `index${extension}`)));
	return candidates.find((candidate) => known.has(candidate));
}

/**
The import cycles in `graph`, one per strongly connected component of more than one module (or a module that
imports itself), each given as a path that starts and ends at the same module. Tarjan's algorithm.
*/
export function findCycles(graph) {
	const index = new Map();
	const low = new Map();
	const stack = [];
	const onStack = new Set();
	const components = [];
	let counter = 0;
	const visit = (node) => {
		index.set(node, counter);
		low.set(node, counter);
		counter++;
		stack.push(node);
		onStack.add(node);
		for (const next of graph.get(node) ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node), low.get(next)));
			} else if (onStack.has(next)) {
				low.set(node, Math.min(low.get(node), index.get(next)));
			}
		}

		if (low.get(node) === index.get(node)) {
			const component = [];
			let member;
			do {
				member = stack.pop();
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
				components.push(new Set(component));
			}
		}
	};

	for (const node of graph.keys()) {
		if (!index.has(node)) visit(node);
	}

	return components.map((component) => cycleIn(graph, component));
}

/** One concrete cycle through a component: a breadth-first walk from its first module back to itself. */
function cycleIn(graph, component) {
	const start = [...component].sort()[0];
	const previous = new Map();
	const queue = [start];
	while (queue.length > 0) {
		const node = queue.shift();
		for (const next of graph.get(node) ?? []) {
			if (!component.has(next)) continue;
			if (next === start) {
				const back = [];
				for (let at = node; at !== start; at = previous.get(at)) back.push(at);
				return [start, ...back.reverse(), start];
			}

			if (!previous.has(next)) {
				previous.set(next, node);
				queue.push(next);
			}
		}
	}

	return [start, start];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const root = process.argv[2] ?? 'source';
	const cycles = findCycles(importGraph(root));
	if (cycles.length > 0) {
		console.error(`${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} under ${root}/:`);
		for (const cycle of cycles) {
			console.error(`  ${cycle.map((file) => path.relative(root, file)).join(' → ')}`);
		}

		console.error('Move the shared types to the module both sides need (e.g. source/core/model.ts).');
		process.exitCode = 1;
	}
}
