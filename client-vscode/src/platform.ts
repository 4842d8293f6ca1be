// Which platform the bundled server was built for (bundled/target.json), and which one VS Code runs on.
import * as fs from 'fs';
import type { Version } from './python';

/** bundled/target.json, written by scripts/package-vsix.py. */
export interface BundleTarget {
    /** The `vsce package --target` the .vsix was built for, e.g. `linux-x64`, `darwin-arm64`. */
    target: string;
    /** The CPython versions whose compiled modules are bundled, e.g. `["3.10", ..., "3.14"]`. */
    python: string[];
}

export function readBundleTarget(file: string): BundleTarget | undefined {
    try {
        const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BundleTarget>;
        if (typeof data.target !== 'string') {
            return undefined;
        }
        return { target: data.target, python: Array.isArray(data.python) ? data.python.map(String) : [] };
    } catch {
        return undefined; // a .vsix from before target.json, or a development checkout
    }
}

/** Whether this Linux uses musl (Alpine), whose packages are `alpine-*` rather than `linux-*`. */
export function isMuslLinux(exists: (file: string) => boolean = fs.existsSync): boolean {
    return exists('/etc/alpine-release');
}

/** `${process.platform}-${process.arch}` in `vsce package --target` terms (`alpine-x64` on Alpine). */
export function runningTarget(platform: string = process.platform, arch: string = process.arch, musl: () => boolean = isMuslLinux): string {
    return platform === 'linux' && musl() ? `alpine-${arch}` : `${platform}-${arch}`;
}

/** Whether an import failure is one of the compiled modules (tree-sitter's), not of pure Python. */
export function isBinaryImportError(detail: string): boolean {
    return /(ImportError|ModuleNotFoundError|OSError)\b/.test(detail) && /tree_sitter|_binding/.test(detail);
}

function pythonRange(versions: string[]): string {
    return versions.length > 1 ? `${versions[0]}–${versions[versions.length - 1]}` : versions.join('');
}

/**
 * The explanation added when the bundled compiled modules do not load: which platform (and CPython
 * versions) the bundle is for, which platform VS Code runs on and which Python ran it, and what to do.
 */
export function platformMismatch(
    built: BundleTarget,
    running: string,
    version: Version | undefined,
): { explanation: string; setting: 'pipCacheLsp.path' | 'pipCacheLsp.interpreter' } {
    const range = pythonRange(built.python);
    const python = version ? ` with Python ${version.join('.')}` : '';
    const explanation = `This pip-cache-lsp was built for ${built.target}${range ? ` (compiled parser for CPython ${range})` : ''}, and VS Code runs on ${running}${python}.`;
    if (built.target !== running) {
        return {
            explanation: `${explanation} Install the pip-cache-lsp package for ${running} (pip-cache-lsp-${running}.vsix), or set pipCacheLsp.path to a pip-cache-lsp installed with pip.`,
            setting: 'pipCacheLsp.path',
        };
    }
    const minor = version ? `${version[0]}.${version[1]}` : undefined;
    if (minor && built.python.length > 0 && !built.python.includes(minor)) {
        return {
            explanation: `${explanation} Set pipCacheLsp.interpreter to a CPython ${range}, or pipCacheLsp.path to a pip-cache-lsp installed with pip.`,
            setting: 'pipCacheLsp.interpreter',
        };
    }
    return { explanation, setting: 'pipCacheLsp.interpreter' };
}
