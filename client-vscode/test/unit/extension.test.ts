import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { activate, deactivate } from '../../src/extension';
import { clients, FakeLanguageClient } from './languageclient-stub';
import { stub } from './vscode-stub';

const EXT_DIR = path.resolve(__dirname, '../../..');
let tmp: string;

function context() {
    return { subscriptions: [] as { dispose(): unknown }[], asAbsolutePath: (p: string) => path.join(EXT_DIR, p) } as never;
}

/** A stand-in Python for `server.py --check`: prints a version, exits with a code. */
function fakePython(version: string, code = 0): string {
    const file = path.join(tmp, `python-${version}-${code}`);
    fs.writeFileSync(file, `#!/bin/sh\necho ${version}\nexit ${code}\n`, { mode: 0o755 });
    return file;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('extension', () => {
    beforeEach(() => {
        stub.reset();
        clients.length = 0;
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcl-ext-'));
    });
    afterEach(async () => {
        await deactivate();
        fs.rmSync(tmp, { recursive: true });
    });

    it('starts the bundled server with the configured interpreter and sends the settings at initialize', async () => {
        const python = fakePython('3.12.3');
        stub.settings = { 'pipCacheLsp.interpreter': [python], 'pipCacheLsp.severity': 'error' };
        await activate(context());
        assert.equal(clients.length, 1);
        const [client] = clients;
        assert.equal(client.id, 'pipCacheLsp', 'the id makes vscode-languageclient honour pipCacheLsp.trace.server');
        assert.equal(client.serverOptions.run.command, python);
        assert.deepEqual(client.serverOptions.run.args, [path.join(EXT_DIR, 'bundled', 'tool', 'server.py')]);
        assert.deepEqual(client.clientOptions.initializationOptions(), { enable: true, severity: 'error', honourEnv: true, select: null, ignore: [], builderStages: 'information', offerCacheMount: false });
        assert.equal(client.running, true);
        assert.deepEqual(stub.errors, []);
        assert.ok(stub.commands.has('pipCacheLsp.restartServer') && stub.commands.has('pipCacheLsp.showOutput'));
    });

    it('pushes enable/severity/honourEnv changes live, without a restart', async () => {
        stub.settings = { 'pipCacheLsp.interpreter': [fakePython('3.11.9')] };
        await activate(context());
        stub.change({ 'pipCacheLsp.severity': 'hint', 'pipCacheLsp.enable': false });
        await settle();
        assert.equal(clients.length, 1);
        assert.deepEqual(clients[0].notifications, [
            { method: 'workspace/didChangeConfiguration', params: { settings: { pipCacheLsp: { enable: false, severity: 'hint', honourEnv: true, select: null, ignore: [], builderStages: 'information', offerCacheMount: false } } } },
        ]);
    });

    it('restarts the server when the command settings change', async () => {
        stub.settings = { 'pipCacheLsp.interpreter': [fakePython('3.11.9')] };
        await activate(context());
        const second = fakePython('3.13.0');
        stub.change({ 'pipCacheLsp.interpreter': [second] });
        await settle();
        assert.equal(clients.length, 2);
        assert.equal(clients[0].stopped, true);
        assert.equal(clients[1].serverOptions.run.command, second);
    });

    it('a missing Python is one notification whose button opens the setting, and no client', async () => {
        stub.settings = { 'pipCacheLsp.interpreter': [path.join(tmp, 'no-such-python')] };
        stub.answer = 'Open Setting';
        await activate(context());
        await settle();
        assert.equal(clients.length, 0);
        assert.equal(stub.errors.length, 1);
        assert.match(stub.errors[0].message, /needs Python 3\.10 or newer.*was not found/);
        assert.deepEqual(stub.errors[0].items, ['Open Setting']);
        assert.deepEqual(stub.executed, [{ command: 'workbench.action.openSettings', args: ['pipCacheLsp.interpreter'] }]);
        // Unrelated setting changes and automatic restarts do not repeat it; an explicit restart may.
        stub.change({ 'pipCacheLsp.path': [] });
        await settle();
        assert.equal(stub.errors.length, 1);
        await stub.commands.get('pipCacheLsp.restartServer')!();
        assert.equal(stub.errors.length, 2);
    });

    it('a too-old Python says so, once', async () => {
        stub.settings = { 'pipCacheLsp.interpreter': [fakePython('3.8.18', 3)] };
        await activate(context());
        await settle();
        assert.equal(clients.length, 0);
        assert.equal(stub.errors.length, 1);
        assert.match(stub.errors[0].message, /is Python 3\.8\.18/);
        assert.doesNotMatch(stub.errors[0].message, /\n\s+at /, 'no stack trace');
    });

    it('pipCacheLsp.path is started as given', async () => {
        const server = path.join(tmp, 'pip-cache-lsp');
        fs.writeFileSync(server, '#!/bin/sh\n', { mode: 0o755 });
        stub.settings = { 'pipCacheLsp.path': [server, 'serve'], 'pipCacheLsp.interpreter': ['/nonexistent/python'] };
        await activate(context());
        assert.equal(clients.length, 1);
        assert.equal(clients[0].serverOptions.run.command, server);
        assert.deepEqual(clients[0].serverOptions.run.args, ['serve']);
        assert.deepEqual(stub.errors, []);
    });

    /** An extension directory whose bundled/target.json names another platform than this one. */
    function foreignBundle() {
        const ext = path.join(tmp, 'ext');
        fs.mkdirSync(path.join(ext, 'bundled'), { recursive: true });
        const built = process.platform === 'win32' ? 'linux-arm64' : 'win32-arm64';
        const target = { target: built, python: ['3.10', '3.11', '3.12', '3.13', '3.14'], wheels: [] };
        fs.writeFileSync(path.join(ext, 'bundled', 'target.json'), JSON.stringify(target));
        const ctx = { subscriptions: [] as { dispose(): unknown }[], asAbsolutePath: (p: string) => path.join(ext, p) } as never;
        return { ctx, built };
    }

    /** A Python whose `server.py --check` fails on tree-sitter's compiled module, from its `fromRun`th run on. */
    function pythonWithForeignBinaries(fromRun = 1): string {
        const file = path.join(tmp, 'python-foreign');
        const count = path.join(tmp, 'runs');
        fs.writeFileSync(
            file,
            `#!/bin/sh\necho 3.12.3\necho x >> ${count}\n` +
                `if [ "$(wc -l < ${count})" -ge ${fromRun} ]; then echo "ModuleNotFoundError: No module named 'tree_sitter_bash._binding'" >&2; exit 4; fi\nexit 0\n`,
            { mode: 0o755 },
        );
        return file;
    }

    const running = `${process.platform}-${process.arch}`.replace(/\+/g, '\\+');

    it("bundled binaries of another platform: the notification names the bundle's target and VS Code's platform", async () => {
        const { ctx, built } = foreignBundle();
        stub.settings = { 'pipCacheLsp.interpreter': [pythonWithForeignBinaries()] };
        await activate(ctx);
        await settle();
        assert.equal(clients.length, 0);
        assert.equal(stub.errors.length, 1);
        const { message } = stub.errors[0];
        assert.match(message, /No module named 'tree_sitter_bash\._binding'/);
        assert.match(message, new RegExp(`built for ${built} \\(compiled parser for CPython 3\\.10–3\\.14\\), and VS Code runs on (${running}|alpine-${process.arch}) with Python 3\\.12\\.3`));
    });

    it('a server that fails to start, or exits for good, is probed again and the platform named', async () => {
        const { ctx, built } = foreignBundle();
        stub.settings = { 'pipCacheLsp.interpreter': [pythonWithForeignBinaries(2)] };
        FakeLanguageClient.failStart = true;
        await activate(ctx);
        await settle();
        assert.equal(clients.length, 1, 'the first probe passed');
        assert.equal(stub.errors.length, 1);
        assert.match(stub.errors[0].message, new RegExp(`built for ${built}.*VS Code runs on`));

        // A running server that stops (and is not restarted by the client) is explained the same way.
        fs.rmSync(path.join(tmp, 'runs'));
        await stub.commands.get('pipCacheLsp.restartServer')!();
        await settle();
        assert.equal(clients.length, 2);
        assert.equal(clients[1].running, true);
        clients[1].crash();
        await settle();
        assert.equal(stub.errors.length, 2);
        assert.match(stub.errors[1].message, new RegExp(`built for ${built}.*VS Code runs on`));
    });

    it('Show Output shows the channel', async () => {
        stub.settings = { 'pipCacheLsp.interpreter': [fakePython('3.12.0')] };
        await activate(context());
        await stub.commands.get('pipCacheLsp.showOutput')!();
        assert.ok(stub.executed.some((e) => e.command === '<output.show>'));
    });
});
