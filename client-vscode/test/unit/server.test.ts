import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Probe } from '../../src/python';
import { commandExists, ResolveDeps, resolveServerCommand } from '../../src/server';
import type { ExtensionSettings } from '../../src/settings';

const SCRIPT = '/ext/bundled/tool/server.py';
const base: ExtensionSettings = { enable: true, severity: 'warning', honourEnv: true, select: null, ignore: [], builderStages: 'information', offerCacheMount: false, path: [], interpreter: [] };

function deps(over: Partial<ResolveDeps> & { probes?: Record<string, Probe> } = {}) {
    const calls = { probed: [] as string[][], askedPythonExtension: 0 };
    const d: ResolveDeps = {
        bundledScript: SCRIPT,
        pythonExtensionInterpreter: async () => {
            calls.askedPythonExtension++;
            return undefined;
        },
        probe: async (interpreter) => {
            calls.probed.push(interpreter);
            return over.probes?.[interpreter.join(' ')] ?? { kind: 'ok', version: [3, 12, 1], detail: '3.12.1' };
        },
        commandExists: () => true,
        ...over,
    };
    return { d, calls };
}

describe('server command resolution', () => {
    it('1. pipCacheLsp.path wins, and nothing is probed', async () => {
        const { d, calls } = deps();
        const r = await resolveServerCommand({ ...base, path: ['pip-cache-lsp', 'serve'], interpreter: ['/py'] }, d);
        assert.ok(r.ok);
        assert.equal(r.server.command, 'pip-cache-lsp');
        assert.deepEqual(r.server.args, ['serve']);
        assert.deepEqual(calls.probed, []);
        assert.equal(calls.askedPythonExtension, 0);
    });

    it('a path command that does not exist is one message pointing at the setting', async () => {
        const { d } = deps({ commandExists: () => false });
        const r = await resolveServerCommand({ ...base, path: ['/nope/pip-cache-lsp', 'serve'] }, d);
        assert.ok(!r.ok);
        assert.equal(r.setting, 'pipCacheLsp.path');
        assert.match(r.message, /"\/nope\/pip-cache-lsp".*pipCacheLsp\.path.*not found/);
    });

    it('2. else the bundled server run by pipCacheLsp.interpreter (before the Python extension)', async () => {
        const { d, calls } = deps({ pythonExtensionInterpreter: async () => ['/from/ext/python'] });
        const r = await resolveServerCommand({ ...base, interpreter: ['/opt/py/bin/python', '-X', 'utf8'] }, d);
        assert.ok(r.ok);
        assert.equal(r.server.command, '/opt/py/bin/python');
        assert.deepEqual(r.server.args, ['-X', 'utf8', SCRIPT]);
        assert.deepEqual(calls.probed, [['/opt/py/bin/python', '-X', 'utf8']]);
        assert.match(r.server.origin, /pipCacheLsp\.interpreter/);
    });

    it("3. else the Python extension's active interpreter", async () => {
        const { d } = deps({ pythonExtensionInterpreter: async () => ['/w/.venv/bin/python'] });
        const r = await resolveServerCommand(base, d);
        assert.ok(r.ok);
        assert.equal(r.server.command, '/w/.venv/bin/python');
        assert.deepEqual(r.server.args, [SCRIPT]);
        assert.match(r.server.origin, /Python extension/);
    });

    it('4. else python3 on PATH', async () => {
        const { d, calls } = deps();
        const r = await resolveServerCommand(base, d);
        assert.ok(r.ok);
        assert.equal(r.server.command, 'python3');
        assert.deepEqual(r.server.args, [SCRIPT]);
        assert.equal(calls.askedPythonExtension, 1);
    });

    it('a missing Python is one message naming the version and the setting', async () => {
        const { d } = deps({ probes: { python3: { kind: 'missing', detail: 'spawn python3 ENOENT' } } });
        const r = await resolveServerCommand(base, d);
        assert.ok(!r.ok);
        assert.equal(r.setting, 'pipCacheLsp.interpreter');
        assert.match(r.message, /Python 3\.10 or newer/);
        assert.match(r.message, /"python3" on PATH was not found/);
        assert.doesNotMatch(r.message, /ENOENT|at .*\.js/);
    });

    it('a too-old Python says which version was found', async () => {
        const { d } = deps({ probes: { '/usr/bin/python3.8': { kind: 'too-old', version: [3, 8, 10], detail: '3.8.10' } } });
        const r = await resolveServerCommand({ ...base, interpreter: ['/usr/bin/python3.8'] }, d);
        assert.ok(!r.ok);
        assert.match(r.message, /is Python 3\.8\.10/);
        assert.match(r.message, /pipCacheLsp\.interpreter/);
    });

    it('a Python the bundled libraries do not load in is reported with the import error', async () => {
        const { d } = deps({ probes: { python3: { kind: 'broken', version: [3, 15, 0], detail: "ModuleNotFoundError: No module named 'tree_sitter._binding'" } } });
        const r = await resolveServerCommand(base, d);
        assert.ok(!r.ok);
        assert.match(r.message, /could not load its bundled server.*tree_sitter\._binding/);
    });

    it("tree-sitter's modules of another platform: the message names the bundle's target and VS Code's platform", async () => {
        const detail = "ImportError: dlopen(/ext/bundled/libs/tree_sitter_bash/_binding.abi3.so, 0x0002): (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64'))";
        const { d } = deps({
            probes: { python3: { kind: 'broken', version: [3, 12, 4], detail } },
            bundleTarget: () => ({ target: 'darwin-x64', python: ['3.10', '3.11', '3.12', '3.13', '3.14'] }),
            runningTarget: () => 'darwin-arm64',
        });
        const r = await resolveServerCommand(base, d);
        assert.ok(!r.ok);
        assert.equal(r.setting, 'pipCacheLsp.path');
        assert.match(r.message, /could not load its bundled server with "python3" on PATH: ImportError: dlopen/);
        assert.match(r.message, /built for darwin-x64 \(compiled parser for CPython 3\.10–3\.14\), and VS Code runs on darwin-arm64 with Python 3\.12\.4/);
        assert.match(r.message, /pip-cache-lsp-darwin-arm64\.vsix/);
    });

    it('other import failures keep the plain message', async () => {
        const { d } = deps({
            probes: { python3: { kind: 'broken', version: [3, 12, 4], detail: "ModuleNotFoundError: No module named 'pygls'" } },
            bundleTarget: () => ({ target: 'darwin-x64', python: ['3.12'] }),
            runningTarget: () => 'darwin-arm64',
        });
        const r = await resolveServerCommand(base, d);
        assert.ok(!r.ok);
        assert.doesNotMatch(r.message, /built for/);
        assert.equal(r.setting, 'pipCacheLsp.interpreter');
    });
});

describe('commandExists', () => {
    it('looks names up on PATH and paths on disk', () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcl-'));
        const exe = path.join(dir, 'pip-cache-lsp');
        fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
        assert.equal(commandExists('pip-cache-lsp', { PATH: `/nonexistent${path.delimiter}${dir}` }, 'linux'), true);
        assert.equal(commandExists('pip-cache-lsp', { PATH: '/nonexistent' }, 'linux'), false);
        assert.equal(commandExists(exe, { PATH: '' }, 'linux'), true);
        assert.equal(commandExists(path.join(dir, 'other'), { PATH: '' }, 'linux'), false);
        assert.equal(commandExists(dir, { PATH: '' }, 'linux'), false, 'a directory is not a command');
        fs.rmSync(dir, { recursive: true });
    });
});
