// Finding and probing the Python that runs the bundled server.
import { execFile } from 'child_process';
import type { Uri } from 'vscode';
import { getExtension } from './vscodeapi';

export const MIN_PYTHON: readonly [number, number] = [3, 10];
export const PYTHON_EXTENSION_ID = 'ms-python.python';

/** The parts of the Python extension's API used here (`@vscode/python-extension` has the full one). */
interface PythonExtensionApi {
    environments?: {
        getActiveEnvironmentPath(resource?: Uri): { path: string } | undefined;
        resolveEnvironment(env: { path: string } | string): Promise<{ executable: { uri?: { fsPath: string } } } | undefined>;
        onDidChangeActiveEnvironmentPath?: (listener: () => unknown) => { dispose(): unknown };
    };
    settings?: {
        getExecutionDetails?(resource?: Uri): { execCommand: string[] | undefined };
    };
}

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
    const extension = getExtension(PYTHON_EXTENSION_ID);
    if (!extension) {
        return undefined;
    }
    if (!extension.isActive) {
        await extension.activate();
    }
    return extension.exports as PythonExtensionApi | undefined;
}

/** The Python extension's active interpreter, when that extension is installed. */
export async function interpreterFromPythonExtension(resource?: Uri): Promise<string[] | undefined> {
    try {
        const api = await pythonExtensionApi();
        const envs = api?.environments;
        if (envs) {
            const active = envs.getActiveEnvironmentPath(resource);
            const resolved = active ? await envs.resolveEnvironment(active) : undefined;
            const exe = resolved?.executable?.uri?.fsPath;
            if (exe) {
                return [exe];
            }
        }
        const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
        return command && command.length > 0 ? command : undefined;
    } catch {
        return undefined; // a broken Python extension must not keep the server from starting
    }
}

/** Calls `listener` when the Python extension's active interpreter changes. */
export async function onPythonInterpreterChange(listener: () => unknown): Promise<{ dispose(): unknown } | undefined> {
    try {
        return (await pythonExtensionApi())?.environments?.onDidChangeActiveEnvironmentPath?.(listener);
    } catch {
        return undefined;
    }
}

export type Version = [number, number, number];

export type Probe =
    | { kind: 'ok'; version: Version; detail: string }
    | { kind: 'missing'; detail: string }
    | { kind: 'too-old'; version: Version; detail: string }
    | { kind: 'broken'; version?: Version; detail: string };

export type Runner = (
    file: string,
    args: string[],
) => Promise<{ code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }>;

export const runProcess: Runner = (file, args) =>
    new Promise((resolve) => {
        execFile(file, args, { timeout: 30_000, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
            const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
            const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
            resolve({ code, stdout, stderr, error: err && typeof err.code === 'string' ? err : undefined });
        });
    });

export function parseVersion(text: string): Version | undefined {
    const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function isSupported(version: Version): boolean {
    return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

function lastLine(text: string): string {
    const lines = text.trim().split(/\r?\n/);
    return lines[lines.length - 1] ?? '';
}

/**
 * Runs `interpreter bundled/tool/server.py --check`: it prints the Python version on its first line,
 * then imports the server and its dependencies (exit 0 when they import).
 */
export async function probeBundledServer(interpreter: string[], script: string, run: Runner = runProcess): Promise<Probe> {
    const [file, ...pre] = interpreter;
    const result = await run(file, [...pre, script, '--check']);
    if (result.error) {
        return result.error.code === 'ENOENT' || result.error.code === 'EACCES'
            ? { kind: 'missing', detail: result.error.message }
            : { kind: 'broken', detail: result.error.message };
    }
    const version = parseVersion(result.stdout.split(/\r?\n/)[0] ?? '');
    if (!version && result.code === 127) {
        return { kind: 'missing', detail: lastLine(result.stderr) || 'command not found' }; // e.g. a pyenv shim
    }
    if (!version) {
        return { kind: 'broken', detail: lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${result.code}` };
    }
    if (!isSupported(version)) {
        return { kind: 'too-old', version, detail: version.join('.') };
    }
    if (result.code !== 0) {
        return { kind: 'broken', version, detail: lastLine(result.stderr) || `exit code ${result.code}` };
    }
    return { kind: 'ok', version, detail: version.join('.') };
}
