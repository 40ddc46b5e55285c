/** A source of uniform numbers in [0, 1). Injected wherever the core needs randomness. */
export type Random = () => number;

/**
A small, fast, seedable generator (sfc32, seeded through splitmix32). Used for the simulator's separate
workload and strategy streams, which must be reproducible for a seed.
*/
export function createRandom(seed: number, stream = 0): Random {
	let state = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
	const splitmix = () => {
		state = (state + 0x9e3779b9) >>> 0;
		let z = state;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
		return (z ^ (z >>> 16)) >>> 0;
	};

	let a = splitmix();
	let b = splitmix();
	let c = splitmix();
	let d = splitmix();
	const next = () => {
		const t = (((a + b) >>> 0) + d) >>> 0;
		d = (d + 1) >>> 0;
		a = b ^ (b >>> 9);
		b = (c + (c << 3)) >>> 0;
		c = (c << 21) | (c >>> 11);
		c = (c + t) >>> 0;
		return t / 4_294_967_296;
	};

	for (let i = 0; i < 12; i++) {
		next();
	}

	return next;
}
