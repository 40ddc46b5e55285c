/** The V8 flags `codexpool serve` sets on itself at start. */
export const SERVE_V8_FLAGS: string;
