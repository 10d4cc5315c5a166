export declare function asciiOnly(code: string): string;
export declare function cliBundle(root: string): Promise<string>;
