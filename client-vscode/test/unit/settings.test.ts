import assert from 'node:assert/strict';
import * as os from 'node:os';
import { beforeEach, describe, it } from 'node:test';
import {
    affectsServer,
    didChangeConfigurationParams,
    expandVariables,
    needsRestart,
    normaliseCommand,
    normaliseSeverity,
    readSettings,
    toServerSettings,
} from '../../src/settings';
import { stub } from './vscode-stub';

describe('settings', () => {
    beforeEach(() => stub.reset());

    it('has the documented defaults', () => {
        assert.deepEqual(readSettings(), { enable: true, severity: 'warning', honourEnv: true, select: null, ignore: [], builderStages: 'information', offerCacheMount: false, path: [], interpreter: [] });
    });

    it('reads every setting', () => {
        stub.settings = {
            'pipCacheLsp.enable': false,
            'pipCacheLsp.severity': 'error',
            'pipCacheLsp.honourEnv': false,
            'pipCacheLsp.select': ['uv-no-cache', ' ', 3],
            'pipCacheLsp.ignore': ['pip-no-cache-dir'],
            'pipCacheLsp.builderStages': 'ignore',
            'pipCacheLsp.offerCacheMount': true,
            'pipCacheLsp.path': ['pip-cache-lsp', 'serve'],
            'pipCacheLsp.interpreter': ['/usr/bin/python3.12'],
        };
        assert.deepEqual(readSettings(), {
            enable: false,
            severity: 'error',
            honourEnv: false,
            select: ['uv-no-cache'],
            ignore: ['pip-no-cache-dir'],
            builderStages: 'ignore',
            offerCacheMount: true,
            path: ['pip-cache-lsp', 'serve'],
            interpreter: ['/usr/bin/python3.12'],
        });
    });

    it('maps severities, falling back to warning', () => {
        assert.equal(normaliseSeverity('Hint'), 'hint');
        assert.equal(normaliseSeverity('information'), 'information');
        assert.equal(normaliseSeverity('info'), 'information');
        assert.equal(normaliseSeverity('fatal'), 'warning');
        assert.equal(normaliseSeverity(3), 'warning');
        assert.equal(normaliseSeverity(undefined), 'warning');
    });

    it('takes a lone string as a command and drops empty parts', () => {
        assert.deepEqual(normaliseCommand('pip-cache-lsp'), ['pip-cache-lsp']);
        assert.deepEqual(normaliseCommand(['', 'python3', ' ', '-m', 'pip_cache_lsp']), ['python3', '-m', 'pip_cache_lsp']);
        assert.deepEqual(normaliseCommand(null), []);
        assert.deepEqual(normaliseCommand([1, 'x']), ['x']);
    });

    it('expands the variables users write in commands', () => {
        assert.equal(expandVariables('${workspaceFolder}/.venv/bin/python', '/w'), '/w/.venv/bin/python');
        assert.equal(expandVariables('~/bin/pip-cache-lsp'), `${os.homedir()}/bin/pip-cache-lsp`);
        assert.equal(expandVariables('${userHome}/x'), `${os.homedir()}/x`);
        assert.equal(expandVariables('${env:VENV}/bin/python', undefined, { VENV: '/opt/v' }), '/opt/v/bin/python');
        stub.workspaceFolder = '/proj';
        stub.settings = { 'pipCacheLsp.interpreter': ['${workspaceFolder}/.venv/bin/python'] };
        assert.deepEqual(readSettings().interpreter, ['/proj/.venv/bin/python']);
    });

    it('reads an empty select as every rule and an unknown builderStages as information', () => {
        stub.settings = { 'pipCacheLsp.select': [], 'pipCacheLsp.builderStages': 'sometimes' };
        const settings = readSettings();
        assert.equal(settings.select, null);
        assert.equal(settings.builderStages, 'information');
    });

    it('sends the server exactly enable, severity, honourEnv, select, ignore, builderStages and offerCacheMount', () => {
        stub.settings = { 'pipCacheLsp.severity': 'hint', 'pipCacheLsp.path': ['x'], 'pipCacheLsp.trace.server': 'verbose' };
        const settings = readSettings();
        assert.deepEqual(toServerSettings(settings), { enable: true, severity: 'hint', honourEnv: true, select: null, ignore: [], builderStages: 'information', offerCacheMount: false });
        assert.deepEqual(didChangeConfigurationParams(settings), {
            settings: { pipCacheLsp: { enable: true, severity: 'hint', honourEnv: true, select: null, ignore: [], builderStages: 'information', offerCacheMount: false } },
        });
    });

    it('restarts for path/interpreter, pushes enable/severity/honourEnv live', () => {
        const event = (...keys: string[]) => ({ affectsConfiguration: (s: string) => keys.some((k) => k === s || k.startsWith(s + '.')) });
        assert.equal(needsRestart(event('pipCacheLsp.path')), true);
        assert.equal(needsRestart(event('pipCacheLsp.interpreter')), true);
        assert.equal(needsRestart(event('pipCacheLsp.severity')), false);
        assert.equal(affectsServer(event('pipCacheLsp.severity')), true);
        assert.equal(affectsServer(event('pipCacheLsp.enable')), true);
        assert.equal(affectsServer(event('pipCacheLsp.honourEnv')), true);
        assert.equal(affectsServer(event('pipCacheLsp.offerCacheMount')), true);
        assert.equal(affectsServer(event('pipCacheLsp.trace.server')), false);
        assert.equal(affectsServer(event('editor.fontSize')), false);
    });
});
