// The extension's settings, and the part of them the server is told about.
import * as os from 'os';
import type { ConfigurationChangeEvent, WorkspaceConfiguration } from 'vscode';
import { getConfiguration, workspaceFolderUri } from './vscodeapi';

export const SECTION = 'pipCacheLsp';
export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What the user configured, normalised. */
export interface ExtensionSettings {
    enable: boolean;
    severity: Severity;
    honourEnv: boolean;
    /** Rule codes to report; null: every rule (ruff's `select`). */
    select: string[] | null;
    /** Rule codes never reported (ruff's `ignore`). */
    ignore: string[];
    builderStages: BuilderStages;
    /** Offer the cache-mount quick fix in files that show no sign of BuildKit. */
    offerCacheMount: boolean;
    /** Command + arguments starting the server; empty: the bundled one. */
    path: string[];
    /** Python running the bundled server; empty: ask the Python extension, else `python3`. */
    interpreter: string[];
}

/** What the server reads, in `initializationOptions` and `workspace/didChangeConfiguration`. */
export interface ServerSettings {
    enable: boolean;
    severity: Severity;
    honourEnv: boolean;
    select: string[] | null;
    ignore: string[];
    builderStages: BuilderStages;
    offerCacheMount: boolean;
}

export const BUILDER_STAGES = ['information', 'report', 'ignore'] as const;
export type BuilderStages = (typeof BUILDER_STAGES)[number];

/** A list of rule codes; anything else (or an empty list for `select`) means "not set". */
export function normaliseCodes(value: unknown): string[] | null {
    if (!Array.isArray(value)) {
        return null;
    }
    const codes = value.filter((code): code is string => typeof code === 'string' && code.trim() !== '');
    return codes.map((code) => code.trim());
}

type ConfigReader = Pick<WorkspaceConfiguration, 'get'>;

export function normaliseSeverity(value: unknown): Severity {
    const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (text === 'info') {
        return 'information';
    }
    return (SEVERITIES as readonly string[]).includes(text) ? (text as Severity) : 'warning';
}

/** `${workspaceFolder}`, `${userHome}`, `~` and `${env:NAME}` in a command, as VS Code users expect. */
export function expandVariables(value: string, workspaceFolder?: string, env: NodeJS.ProcessEnv = process.env): string {
    let out = value.replace(/\$\{userHome\}/g, os.homedir()).replace(/\$\{env:([^}]+)\}/g, (_, name: string) => env[name] ?? '');
    if (workspaceFolder !== undefined) {
        out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
    }
    if (out === '~' || out.startsWith('~/')) {
        out = os.homedir() + out.slice(1);
    }
    return out;
}

/** A command setting: an array of strings (a lone string is taken as a one-word command). */
export function normaliseCommand(value: unknown, workspaceFolder?: string): string[] {
    const parts = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    return parts
        .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
        .map((part) => expandVariables(part, workspaceFolder));
}

export function readSettings(
    config: ConfigReader = getConfiguration(SECTION),
    workspaceFolder: string | undefined = workspaceFolderUri()?.fsPath,
): ExtensionSettings {
    return {
        enable: config.get<boolean>('enable', true) !== false,
        severity: normaliseSeverity(config.get<string>('severity', 'warning')),
        honourEnv: config.get<boolean>('honourEnv', true) !== false,
        select: ((codes) => (codes && codes.length ? codes : null))(normaliseCodes(config.get<unknown>('select', null))),
        ignore: normaliseCodes(config.get<unknown>('ignore', [])) ?? [],
        builderStages: ((value) => ((BUILDER_STAGES as readonly string[]).includes(value) ? (value as BuilderStages) : 'information'))(
            String(config.get<string>('builderStages', 'information'))),
        offerCacheMount: config.get<boolean>('offerCacheMount', false) === true,
        path: normaliseCommand(config.get<unknown>('path', []), workspaceFolder),
        interpreter: normaliseCommand(config.get<unknown>('interpreter', []), workspaceFolder),
    };
}

export function toServerSettings(settings: ExtensionSettings): ServerSettings {
    return {
        enable: settings.enable,
        severity: settings.severity,
        honourEnv: settings.honourEnv,
        select: settings.select,
        ignore: settings.ignore,
        builderStages: settings.builderStages,
        offerCacheMount: settings.offerCacheMount,
    };
}

/** The body of `workspace/didChangeConfiguration` sent to the server. */
export function didChangeConfigurationParams(settings: ExtensionSettings): { settings: { pipCacheLsp: ServerSettings } } {
    return { settings: { [SECTION]: toServerSettings(settings) } as { pipCacheLsp: ServerSettings } };
}

/** Settings that change how the server is started: the server must restart. */
export const RESTART_SETTINGS = [`${SECTION}.path`, `${SECTION}.interpreter`];
/** Settings the running server applies live. */
export const LIVE_SETTINGS = [
    `${SECTION}.enable`,
    `${SECTION}.severity`,
    `${SECTION}.honourEnv`,
    `${SECTION}.select`,
    `${SECTION}.ignore`,
    `${SECTION}.builderStages`,
    `${SECTION}.offerCacheMount`,
];

export function needsRestart(event: Pick<ConfigurationChangeEvent, 'affectsConfiguration'>): boolean {
    return RESTART_SETTINGS.some((key) => event.affectsConfiguration(key));
}

export function affectsServer(event: Pick<ConfigurationChangeEvent, 'affectsConfiguration'>): boolean {
    return LIVE_SETTINGS.some((key) => event.affectsConfiguration(key));
}
