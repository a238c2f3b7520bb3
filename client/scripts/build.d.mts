// Types of build.mjs for the TypeScript tests.
export function serverEntry(): string;
export function buildAll(options?: { tests?: boolean; quiet?: boolean; out?: string }): Promise<{ sizes: [string, number][] }>;
export function bundleSizes(out?: string): [string, number][];
export function kib(bytes: number): string;
