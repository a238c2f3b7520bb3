// Types of package.mjs for the TypeScript tests.
export function manifest(): Record<string, unknown> & { name: string; version: string };
export function vsixPath(): string;
export function packageExtension(options?: { quiet?: boolean }): Promise<string>;
