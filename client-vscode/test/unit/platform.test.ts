import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isBinaryImportError, platformMismatch, readBundleTarget, runningTarget } from '../../src/platform';

const PYTHONS = ['3.10', '3.11', '3.12', '3.13', '3.14'];

describe('platform', () => {
    it('the running target is `${process.platform}-${process.arch}`, alpine-* on musl', () => {
        assert.equal(runningTarget(process.platform, process.arch, () => false), `${process.platform}-${process.arch}`);
        assert.equal(runningTarget('darwin', 'arm64', () => true), 'darwin-arm64', 'musl is a Linux matter');
        assert.equal(runningTarget('win32', 'x64'), 'win32-x64');
        assert.equal(runningTarget('linux', 'x64', () => false), 'linux-x64');
        assert.equal(runningTarget('linux', 'arm64', () => true), 'alpine-arm64');
    });

    it("tells tree-sitter's compiled modules failing to import from other failures", () => {
        assert.ok(isBinaryImportError("ModuleNotFoundError: No module named 'tree_sitter._binding'"));
        assert.ok(isBinaryImportError("ModuleNotFoundError: No module named 'tree_sitter_bash._binding'"));
        assert.ok(
            isBinaryImportError(
                "ImportError: dlopen(/x/bundled/libs/tree_sitter/_binding.cpython-312-darwin.so, 0x0002): tried: '...' (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64'))",
            ),
        );
        assert.ok(isBinaryImportError('ImportError: /x/libs/tree_sitter_bash/_binding.abi3.so: cannot open shared object file: No such file or directory'));
        assert.ok(isBinaryImportError('ImportError: libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory (tree_sitter_bash/_binding.abi3.so)'));
        assert.ok(isBinaryImportError('ImportError: DLL load failed while importing _binding: %1 is not a valid Win32 application.'));
        assert.ok(!isBinaryImportError("ModuleNotFoundError: No module named 'pygls'"));
        assert.ok(!isBinaryImportError('SyntaxError: invalid syntax'));
    });

    it('reads bundled/target.json, and nothing when there is none', () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcl-target-'));
        const file = path.join(dir, 'target.json');
        assert.equal(readBundleTarget(file), undefined);
        fs.writeFileSync(file, JSON.stringify({ target: 'darwin-arm64', python: PYTHONS, wheels: [] }));
        assert.deepEqual(readBundleTarget(file), { target: 'darwin-arm64', python: PYTHONS });
        fs.writeFileSync(file, '{');
        assert.equal(readBundleTarget(file), undefined);
        fs.rmSync(dir, { recursive: true });
    });

    it('another platform: names both, and the package to install', () => {
        const m = platformMismatch({ target: 'linux-x64', python: PYTHONS }, 'darwin-arm64', [3, 12, 4]);
        assert.equal(
            m.explanation,
            'This pip-cache-lsp was built for linux-x64 (compiled parser for CPython 3.10–3.14), and VS Code runs on darwin-arm64 with Python 3.12.4. ' +
                'Install the pip-cache-lsp package for darwin-arm64 (pip-cache-lsp-darwin-arm64.vsix), or set pipCacheLsp.path to a pip-cache-lsp installed with pip.',
        );
        assert.equal(m.setting, 'pipCacheLsp.path');
    });

    it('the right platform but a CPython without modules: points at pipCacheLsp.interpreter', () => {
        const m = platformMismatch({ target: 'linux-x64', python: PYTHONS }, 'linux-x64', [3, 15, 0]);
        assert.match(m.explanation, /built for linux-x64 \(compiled parser for CPython 3\.10–3\.14\), and VS Code runs on linux-x64 with Python 3\.15\.0\. Set pipCacheLsp\.interpreter to a CPython 3\.10–3\.14/);
        assert.equal(m.setting, 'pipCacheLsp.interpreter');
    });
});
