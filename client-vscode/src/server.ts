// Which command starts the language server.
import * as fs from 'fs';
import * as path from 'path';
import type { ExtensionSettings } from './settings';
import { BundleTarget, isBinaryImportError, platformMismatch } from './platform';
import { MIN_PYTHON, Probe } from './python';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface ServerCommand {
    command: string;
    args: string[];
    /** Human-readable origin, for the output channel. */
    origin: string;
}

export type Resolution =
    | { ok: true; server: ServerCommand }
    /** One message for the user, and the setting that fixes it. */
    | { ok: false; message: string; setting: 'pipCacheLsp.path' | 'pipCacheLsp.interpreter' };

export interface ResolveDeps {
    /** Absolute path of bundled/tool/server.py. */
    bundledScript: string;
    pythonExtensionInterpreter(): Promise<string[] | undefined>;
    probe(interpreter: string[], script: string): Promise<Probe>;
    /** Whether a command (a path, or a name looked up on PATH) exists. */
    commandExists(command: string): boolean;
    /** bundled/target.json: the platform the bundled compiled modules are for. */
    bundleTarget?(): BundleTarget | undefined;
    /** The platform VS Code runs on, e.g. `darwin-arm64` (`${process.platform}-${process.arch}`). */
    runningTarget?(): string;
}

export const DEFAULT_PYTHON = ['python3'];

/** Looks `command` up the way a spawned process would (PATH, and PATHEXT on Windows). */
export function commandExists(command: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
    const isFile = (candidate: string) => {
        try {
            return fs.statSync(candidate).isFile();
        } catch {
            return false;
        }
    };
    const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
    if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
        return exts.some((ext) => isFile(command + ext));
    }
    const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
    return dirs.some((dir) => exts.some((ext) => isFile(path.join(dir, command + ext))));
}

function shellQuote(parts: string[]): string {
    return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : JSON.stringify(p))).join(' ');
}

const MIN = `${MIN_PYTHON[0]}.${MIN_PYTHON[1]}`;

/**
 * The server command: `pipCacheLsp.path` when set; else the bundled server run by
 * `pipCacheLsp.interpreter`, else by the Python extension's interpreter, else by `python3`.
 */
export async function resolveServerCommand(settings: ExtensionSettings, deps: ResolveDeps): Promise<Resolution> {
    if (settings.path.length > 0) {
        const [command, ...args] = settings.path;
        if (!deps.commandExists(command)) {
            return {
                ok: false,
                setting: 'pipCacheLsp.path',
                message: `pip-cache-lsp: the server command "${command}" from the setting pipCacheLsp.path was not found.`,
            };
        }
        return { ok: true, server: { command, args, origin: `pipCacheLsp.path: ${shellQuote(settings.path)}` } };
    }

    let interpreter: string[];
    let source: InterpreterSource;
    if (settings.interpreter.length > 0) {
        interpreter = settings.interpreter;
        source = 'setting';
    } else {
        const fromExtension = await deps.pythonExtensionInterpreter();
        [interpreter, source] = fromExtension && fromExtension.length > 0 ? [fromExtension, 'python-extension'] : [DEFAULT_PYTHON, 'default'];
    }
    const where = {
        setting: 'from the setting pipCacheLsp.interpreter',
        'python-extension': "selected in the Python extension",
        default: 'on PATH',
    }[source];
    const shown = shellQuote(interpreter);

    const probe = await deps.probe(interpreter, deps.bundledScript);
    switch (probe.kind) {
        case 'ok':
            return {
                ok: true,
                server: {
                    command: interpreter[0],
                    args: [...interpreter.slice(1), deps.bundledScript],
                    origin: `bundled server, Python ${probe.detail} (${shown}, ${where})`,
                },
            };
        case 'missing':
            return {
                ok: false,
                setting: 'pipCacheLsp.interpreter',
                message: `pip-cache-lsp needs Python ${MIN} or newer to run its server, and "${shown}" ${where} was not found. Install Python ${MIN}+ or set pipCacheLsp.interpreter.`,
            };
        case 'too-old':
            return {
                ok: false,
                setting: 'pipCacheLsp.interpreter',
                message: `pip-cache-lsp needs Python ${MIN} or newer to run its server, but "${shown}" ${where} is Python ${probe.detail}. Set pipCacheLsp.interpreter to a newer Python.`,
            };
        case 'broken': {
            const failed = `pip-cache-lsp could not load its bundled server with "${shown}" ${where}: ${probe.detail}.`;
            const built = isBinaryImportError(probe.detail) ? deps.bundleTarget?.() : undefined;
            if (built && deps.runningTarget) {
                const { explanation, setting } = platformMismatch(built, deps.runningTarget(), probe.version);
                return { ok: false, setting, message: `${failed} ${explanation}` };
            }
            return {
                ok: false,
                setting: 'pipCacheLsp.interpreter',
                message: `${failed} Set pipCacheLsp.interpreter to another Python ${MIN}+ or pipCacheLsp.path to an installed pip-cache-lsp.`,
            };
        }
    }
}
