import { homedir, tmpdir } from 'node:os';
import { KEY_QUERY_PARAMS } from './api-key-auth.js';

const SECRET_PATTERNS = [/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, /\bBearer\s+\S+/gi, /\b[A-Za-z0-9_-]{32,}\b/g];

/** Masks key-like substrings before anything reaches a log line. */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((masked, pattern) => masked.replace(pattern, '[redacted]'), text).slice(0, 500);
}

/** A request URL for logs: credential-like query values masked, then key-like substrings. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return redactSecrets(url);
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // compared as sent
      }
      return KEY_QUERY_PARAMS.includes(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return redactSecrets(`${url.slice(0, at)}?${query}`);
}

const SYSTEM_ROOTS = ['/etc', '/proc', '/sys', '/dev', '/home', '/root', '/usr', '/var', '/tmp', '/opt', '/srv', '/work', '/Users', '/private', '/mnt', '/run', '/boot', '/lib', '/bin', '/snap', '/nix', '/app', '/workspace'];
const privateRoots = new Set<string>([...SYSTEM_ROOTS, process.cwd(), homedir(), tmpdir()].filter((root) => root.length > 1));
let pathPattern: RegExp | undefined;

/** Adds a folder (app dir, model dirs, cache) whose paths must never appear in a response. */
export function registerPrivateRoot(root: string): void {
  if (root.length <= 1 || privateRoots.has(root)) return;
  privateRoots.add(root);
  pathPattern = undefined;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces server file-system paths with `<path>`: responses never tell a client where files live. */
export function redactPaths(text: string): string {
  pathPattern ??= new RegExp(
    `(?<![\\w:/.-])(?:${[...privateRoots].sort((a, b) => b.length - a.length).map(escape).join('|')})(?=$|[/\\s'"(),;:\\]])[^\\s'"(),;\\]]*|\\b[A-Za-z]:\\\\[^\\s'"(),;]+`,
    'g',
  );
  return text.replace(pathPattern, '<path>');
}

/** True when brackets nest deeper than `limit` (strings skipped): refuses depth bombs before JSON.parse and schema checks recurse. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92) i += 1;
      else if (char === 34) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 123 || char === 91) {
      depth += 1;
      if (depth > limit) return true;
    } else if (char === 125 || char === 93) depth -= 1;
  }
  return false;
}
