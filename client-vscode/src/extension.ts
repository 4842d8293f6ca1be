// Entry point: starts the pip-cache-lsp language server and keeps it in step with the settings.
import * as path from 'path';
import type { ExtensionContext, LogOutputChannel } from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    State,
} from 'vscode-languageclient/node';
import { readBundleTarget, runningTarget } from './platform';
import { interpreterFromPythonExtension, onPythonInterpreterChange, probeBundledServer } from './python';
import { documentSelector } from './selector';
import { commandExists, ResolveDeps, resolveServerCommand } from './server';
import { affectsServer, didChangeConfigurationParams, needsRestart, readSettings, SECTION, toServerSettings } from './settings';
import {
    createOutputChannel,
    executeCommand,
    onDidChangeConfiguration,
    registerCommand,
    showErrorMessage,
    workspaceFolderUri,
} from './vscodeapi';

export const CLIENT_ID = SECTION; // so vscode-languageclient reads `pipCacheLsp.trace.server`
export const CLIENT_NAME = 'pip-cache-lsp';
const OPEN_SETTING = 'Open Setting';

let client: LanguageClient | undefined;
let output: LogOutputChannel;
let queue: Promise<void> = Promise.resolve();
let lastNotified: string | undefined;

function clientOptions(): LanguageClientOptions {
    return {
        documentSelector: documentSelector(),
        outputChannel: output,
        traceOutputChannel: output,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions: () => toServerSettings(readSettings()),
        initializationFailedHandler: (error) => {
            output.error(`initialization failed: ${error instanceof Error ? error.message : String(error)}`);
            return false;
        },
        middleware: {
            workspace: {
                // A server pulling `pipCacheLsp` gets the same three settings it is pushed.
                configuration: async (params, token, next) => {
                    const result = await next(params, token);
                    if (!Array.isArray(result)) {
                        return result;
                    }
                    return params.items.map((item, i) => (item.section === SECTION ? toServerSettings(readSettings()) : result[i]));
                },
            },
        },
    };
}

async function notifyOnce(message: string, setting: string): Promise<void> {
    output.error(message);
    if (lastNotified === message) {
        return; // the same problem again after a restart: the output channel has it
    }
    lastNotified = message;
    const choice = await showErrorMessage(message, OPEN_SETTING);
    if (choice === OPEN_SETTING) {
        await executeCommand('workbench.action.openSettings', setting);
    }
}

function resolveDeps(context: ExtensionContext): ResolveDeps {
    return {
        bundledScript: context.asAbsolutePath(path.join('bundled', 'tool', 'server.py')),
        pythonExtensionInterpreter: () => interpreterFromPythonExtension(workspaceFolderUri()),
        probe: (interpreter, script) => probeBundledServer(interpreter, script),
        commandExists: (command) => commandExists(command),
        bundleTarget: () => readBundleTarget(context.asAbsolutePath(path.join('bundled', 'target.json'))),
        runningTarget: () => runningTarget(),
    };
}

/**
 * The server did not start, or stopped for good: probing its Python again turns a failed import
 * (e.g. tree-sitter's compiled modules of another platform) into the message `start` would give.
 */
async function explainFailure(context: ExtensionContext): Promise<void> {
    const resolution = await resolveServerCommand(readSettings(), resolveDeps(context));
    if (!resolution.ok) {
        await notifyOnce(resolution.message, resolution.setting);
    }
}

async function start(context: ExtensionContext): Promise<void> {
    const settings = readSettings();
    const resolution = await resolveServerCommand(settings, resolveDeps(context));
    if (!resolution.ok) {
        void notifyOnce(resolution.message, resolution.setting);
        return;
    }
    lastNotified = undefined;
    const { command, args, origin } = resolution.server;
    output.info(`starting ${origin}`);
    const executable = { command, args, options: { env: { ...process.env, PYTHONUTF8: '1' } } };
    const serverOptions: ServerOptions = { run: executable, debug: executable };
    const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions());
    let started = false;
    next.onDidChangeState((e) => {
        output.debug(`client state: ${State[e.oldState]} -> ${State[e.newState]}`);
        if (started && e.newState === State.Stopped && client === next) {
            void explainFailure(context); // it exited and will not be restarted (not a stop of ours)
        }
    });
    client = next;
    try {
        await next.start();
        started = true;
        output.info('server started');
    } catch (error) {
        output.error(`the server did not start: ${error instanceof Error ? error.message : String(error)}`);
        await explainFailure(context);
    }
}

async function stop(): Promise<void> {
    const running = client;
    client = undefined;
    if (running) {
        try {
            await running.stop(2000);
        } catch (error) {
            output.warn(`stopping the server: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
}

/** Runs start/stop steps one after another, so quick setting changes cannot start two servers. */
function enqueue(step: () => Promise<void>): Promise<void> {
    queue = queue.then(step, step);
    return queue;
}

export function restart(context: ExtensionContext): Promise<void> {
    return enqueue(async () => {
        await stop();
        await start(context);
    });
}

export async function activate(context: ExtensionContext): Promise<void> {
    output = createOutputChannel(CLIENT_NAME);
    context.subscriptions.push(
        output,
        registerCommand('pipCacheLsp.restartServer', () => {
            lastNotified = undefined; // an explicit restart may notify again
            return restart(context);
        }),
        registerCommand('pipCacheLsp.showOutput', () => output.show()),
        onDidChangeConfiguration((event) => {
            if (needsRestart(event)) {
                void restart(context);
            } else if (affectsServer(event) && client?.isRunning()) {
                void client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(readSettings()));
            }
        }),
    );
    await enqueue(() => start(context));
    const pythonWatch = await onPythonInterpreterChange(() => {
        if (readSettings().path.length === 0 && readSettings().interpreter.length === 0) {
            void restart(context);
        }
    });
    if (pythonWatch) {
        context.subscriptions.push(pythonWatch);
    }
}

export function deactivate(): Promise<void> {
    return enqueue(stop);
}
