// Bundles the extension (out/extension.js) and, with --tests, the unit tests with a stubbed `vscode`.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'warning',
    legalComments: 'none',
};

if (tests) {
    const entryPoints = readdirSync('test/unit')
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => `test/unit/${f}`);
    await esbuild.build({
        ...common,
        entryPoints,
        outdir: 'out/test/unit',
        sourcemap: 'inline',
        alias: { vscode: './test/unit/vscode-stub.ts', 'vscode-languageclient/node': './test/unit/languageclient-stub.ts' },
    });
} else {
    await esbuild.build({
        ...common,
        entryPoints: ['src/extension.ts'],
        outfile: 'out/extension.js',
        external: ['vscode'],
        minify: production,
        sourcemap: !production,
    });
}
