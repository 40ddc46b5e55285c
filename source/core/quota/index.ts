// The quota model in one import: types, classification, parsers, idle detection, state at a later time.
export * from './build.ts';
export * from './classify.ts';
export * from './idle.ts';
export * from './parse-headers.ts';
export * from './parse-usage.ts';
export * from './started.ts';
export * from './state.ts';
export * from './types.ts';
