// One-line wrappers around the VS Code API: the seam the unit tests stub.
import {
    commands,
    ConfigurationChangeEvent,
    Disposable,
    extensions,
    LogOutputChannel,
    Uri,
    window,
    workspace,
    WorkspaceConfiguration,
} from 'vscode';

export function getConfiguration(section: string): WorkspaceConfiguration {
    return workspace.getConfiguration(section);
}

export function onDidChangeConfiguration(listener: (e: ConfigurationChangeEvent) => unknown): Disposable {
    return workspace.onDidChangeConfiguration(listener);
}

export function createOutputChannel(name: string): LogOutputChannel {
    return window.createOutputChannel(name, { log: true });
}

export function showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return window.showErrorMessage(message, ...items);
}

export function registerCommand(command: string, callback: (...args: unknown[]) => unknown): Disposable {
    return commands.registerCommand(command, callback);
}

export function executeCommand<T = unknown>(command: string, ...rest: unknown[]): Thenable<T> {
    return commands.executeCommand<T>(command, ...rest);
}

export function getExtension(id: string) {
    return extensions.getExtension(id);
}

export function onDidChangeExtensions(listener: () => unknown): Disposable {
    return extensions.onDidChange(listener);
}

export function workspaceFolderUri(): Uri | undefined {
    return workspace.workspaceFolders?.[0]?.uri;
}
