import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { interpreterFromPythonExtension, isSupported, parseVersion, probeBundledServer, Runner } from '../../src/python';
import { stub } from './vscode-stub';

const SERVER_PY = path.resolve(__dirname, '../../../bundled/tool/server.py');

const fake = (result: Awaited<ReturnType<Runner>>): Runner => async () => result;
const enoent = Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' });

describe('probing the Python for the bundled server', () => {
    it('parses versions and knows the minimum', () => {
        assert.deepEqual(parseVersion('3.12.4\n'), [3, 12, 4]);
        assert.equal(parseVersion('Python'), undefined);
        assert.equal(isSupported([3, 10, 0]), true);
        assert.equal(isSupported([3, 9, 18]), false);
        assert.equal(isSupported([4, 0, 0]), true);
    });

    it('passes the interpreter arguments, the script and --check', async () => {
        let seen: string[] = [];
        const run: Runner = async (file, args) => {
            seen = [file, ...args];
            return { code: 0, stdout: '3.11.2\n', stderr: '' };
        };
        const probe = await probeBundledServer(['py', '-3.11'], '/x/server.py', run);
        assert.deepEqual(seen, ['py', '-3.11', '/x/server.py', '--check']);
        assert.deepEqual(probe, { kind: 'ok', version: [3, 11, 2], detail: '3.11.2' });
    });

    it('tells missing, too old and broken apart', async () => {
        assert.equal((await probeBundledServer(['python3'], 's', fake({ code: null, stdout: '', stderr: '', error: enoent }))).kind, 'missing');
        assert.equal((await probeBundledServer(['python3'], 's', fake({ code: 127, stdout: '', stderr: 'pyenv: python3: command not found' }))).kind, 'missing');
        const old = await probeBundledServer(['python3'], 's', fake({ code: 3, stdout: '3.8.10\n', stderr: 'Python 3.10 or newer is needed' }));
        assert.deepEqual(old, { kind: 'too-old', version: [3, 8, 10], detail: '3.8.10' });
        const broken = await probeBundledServer(['python3'], 's', fake({ code: 4, stdout: '3.14.0\n', stderr: 'ImportError: bad\nModuleNotFoundError: No module named x\n' }));
        assert.deepEqual(broken, { kind: 'broken', version: [3, 14, 0], detail: 'ModuleNotFoundError: No module named x' });
        const python2 = await probeBundledServer(['python'], 's', fake({ code: 1, stdout: '', stderr: 'SyntaxError: invalid syntax' }));
        assert.equal(python2.kind, 'broken');
    });

    it('runs for real: a missing interpreter, and an old one (a stand-in script)', async () => {
        assert.equal((await probeBundledServer(['/nonexistent/python3'], SERVER_PY)).kind, 'missing');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcl-py-'));
        const oldPython = path.join(dir, 'python3.8');
        fs.writeFileSync(oldPython, '#!/bin/sh\necho 3.8.18\necho "Python 3.10 or newer is needed" >&2\nexit 3\n', { mode: 0o755 });
        assert.deepEqual(await probeBundledServer([oldPython], SERVER_PY), { kind: 'too-old', version: [3, 8, 18], detail: '3.8.18' });
        fs.rmSync(dir, { recursive: true });
    });
});

describe('the Python extension', () => {
    beforeEach(() => stub.reset());

    it('is not required', async () => {
        assert.equal(await interpreterFromPythonExtension(), undefined);
    });

    it("gives its active environment's executable, activating it first", async () => {
        let activated = false;
        stub.extensions['ms-python.python'] = {
            isActive: false,
            activate: async () => (activated = true),
            exports: {
                environments: {
                    getActiveEnvironmentPath: () => ({ path: '/w/.venv' }),
                    resolveEnvironment: async (env: { path: string }) => ({ executable: { uri: { fsPath: `${env.path}/bin/python` } } }),
                },
            },
        };
        assert.deepEqual(await interpreterFromPythonExtension(), ['/w/.venv/bin/python']);
        assert.equal(activated, true);
    });

    it('falls back to the older execution-details API, and survives a broken extension', async () => {
        stub.extensions['ms-python.python'] = {
            isActive: true,
            activate: async () => undefined,
            exports: { settings: { getExecutionDetails: () => ({ execCommand: ['conda', 'run', '-n', 'x', 'python'] }) } },
        };
        assert.deepEqual(await interpreterFromPythonExtension(), ['conda', 'run', '-n', 'x', 'python']);
        stub.extensions['ms-python.python'] = {
            isActive: false,
            activate: async () => {
                throw new Error('boom');
            },
            exports: undefined,
        };
        assert.equal(await interpreterFromPythonExtension(), undefined);
    });
});
