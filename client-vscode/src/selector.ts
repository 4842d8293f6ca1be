// Which documents the server is told about.

/** File name patterns of Dockerfiles that VS Code may not give the `dockerfile` language. */
export const DOCKERFILE_PATTERNS = ['**/Dockerfile', '**/Containerfile', '**/*.dockerfile', '**/Dockerfile.*', '**/Containerfile.*'];

/** A document filter as the language client takes it (`language` and/or glob `pattern`). */
export interface Filter {
    scheme: string;
    language?: string;
    pattern?: string;
}

const SCHEMES = ['file', 'untitled'];

export function documentSelector(): Filter[] {
    return [
        ...SCHEMES.map((scheme) => ({ scheme, language: 'dockerfile' })),
        ...DOCKERFILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
    ];
}
