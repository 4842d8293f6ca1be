import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { documentSelector } from '../../src/selector';
import { LIVE_SETTINGS, RESTART_SETTINGS, SEVERITIES } from '../../src/settings';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

/** Whether VS Code would hand a file of this path and language to the client. */
function selected(file: string, language: string): boolean {
    return documentSelector().some(
        (f) => (!f.language || f.language === language) && (!f.pattern || path.matchesGlob(file, f.pattern)) && f.scheme === 'file',
    );
}

describe('document selector', () => {
    it('takes the dockerfile language, whatever the file name', () => {
        assert.equal(selected('/w/build/image.def', 'dockerfile'), true);
        assert.ok(documentSelector().some((f) => f.scheme === 'untitled' && f.language === 'dockerfile'));
    });

    for (const name of ['Dockerfile', 'Containerfile', 'api.dockerfile', 'Dockerfile.dev', 'Dockerfile.prod.arm64', 'Containerfile.ci']) {
        it(`takes ${name} even when another language claims it`, () => {
            assert.equal(selected(`/w/svc/${name}`, 'plaintext'), true);
        });
    }

    for (const name of ['README.md', 'dockerfile.txt', 'Makefile', 'docker-compose.yml', 'requirements.txt']) {
        it(`leaves ${name} alone`, () => {
            assert.equal(selected(`/w/${name}`, 'plaintext'), false);
        });
    }
});

describe('package.json', () => {
    it('activates on the dockerfile language and targets VS Code 1.90+', () => {
        assert.deepEqual(manifest.activationEvents, ['onLanguage:dockerfile']);
        assert.equal(manifest.engines.vscode, '^1.90.0');
        assert.equal(manifest.main, './out/extension.js');
        for (const key of ['publisher', 'name', 'displayName', 'description', 'icon', 'repository', 'license']) {
            assert.ok(manifest[key], key);
        }
        assert.ok(fs.existsSync(path.resolve(__dirname, '../../..', manifest.icon)), 'the icon file exists');
    });

    it('gives Containerfile, *.dockerfile and Dockerfile.* the dockerfile language', () => {
        const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'dockerfile');
        assert.ok(lang.filenames.includes('Containerfile'));
        assert.ok(lang.extensions.includes('.dockerfile'));
        assert.ok(lang.filenamePatterns.includes('Dockerfile.*'));
    });

    it('declares every setting the code reads, with the documented defaults', () => {
        const props = manifest.contributes.configuration.properties;
        for (const key of [...LIVE_SETTINGS, ...RESTART_SETTINGS, 'pipCacheLsp.trace.server']) {
            assert.ok(props[key], key);
        }
        assert.equal(props['pipCacheLsp.enable'].default, true);
        assert.equal(props['pipCacheLsp.honourEnv'].default, true);
        assert.equal(props['pipCacheLsp.severity'].default, 'warning');
        assert.deepEqual(props['pipCacheLsp.severity'].enum, [...SEVERITIES]);
        assert.equal(props['pipCacheLsp.path'].type, 'array');
        assert.deepEqual(props['pipCacheLsp.trace.server'].enum, ['off', 'messages', 'verbose']);
    });

    it('contributes the two commands', () => {
        const titles = manifest.contributes.commands.map((c: { category: string; title: string; command: string }) => `${c.category}: ${c.title} (${c.command})`);
        assert.deepEqual(titles.sort(), ['pip-cache-lsp: Restart Server (pipCacheLsp.restartServer)', 'pip-cache-lsp: Show Output (pipCacheLsp.showOutput)']);
    });
});
