import { readFileSync } from 'node:fs';

/**
 * Reads the env files in deploy/env the way `docker compose` reads an `env_file`, so a test can
 * check them against each service's config schema without a Docker engine and without a new
 * dependency.
 *
 * Supported, and all the project's env files may use:
 *   KEY=value            value taken as written, surrounding spaces trimmed
 *   KEY=value # note     an unquoted value ends at " #"
 *   KEY="value"          double quotes: \n, \t, \" and \\ escapes
 *   KEY='value'          single quotes: taken literally
 *   export KEY=value     the `export ` prefix is ignored
 *   # comment, blank lines
 * Rejected, with the file and line: a line without `=`, a malformed name, an unterminated quote,
 * and `$` in an unquoted or double-quoted value (compose would interpolate it from the host, so
 * the same file would mean different things in compose and in local mode).
 */
export function parseEnvFile(text: string, source = 'env file'): Record<string, string> {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const where = `${source}:${index + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const assignment = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = assignment.indexOf('=');
    if (eq < 0) throw new Error(`${where}: expected KEY=value, got "${raw}"`);
    const key = assignment.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new Error(`${where}: "${key}" is not a valid variable name`);
    }
    env[key] = parseValue(assignment.slice(eq + 1).trim(), where);
  });
  return env;
}

function parseValue(value: string, where: string): string {
  const quote = value[0];
  if (quote === "'" || quote === '"') {
    const close = quote === "'" ? value.indexOf("'", 1) : closingDoubleQuote(value);
    if (close < 0) throw new Error(`${where}: unterminated ${quote} quote`);
    const rest = value.slice(close + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      throw new Error(`${where}: unexpected text after the closing quote: "${rest}"`);
    }
    const body = value.slice(1, close);
    if (quote === "'") return body;
    assertNoInterpolation(body, where);
    return body.replace(/\\(.)/g, (_, c: string) =>
      c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c,
    );
  }
  const comment = value.search(/\s#/);
  const plain = (comment < 0 ? value : value.slice(0, comment)).trim();
  assertNoInterpolation(plain, where);
  return plain;
}

/** The index of the first double quote after the opening one that no backslash escapes. */
function closingDoubleQuote(value: string): number {
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return -1;
}

function assertNoInterpolation(value: string, where: string): void {
  if (value.includes('$')) {
    throw new Error(`${where}: "$" would be interpolated by docker compose; use single quotes`);
  }
}

/** Reads and merges env files in order: a later file overrides an earlier one, as in compose. */
export function readEnvFiles(paths: readonly string[]): Record<string, string> {
  return Object.assign({}, ...paths.map((path) => parseEnvFile(readFileSync(path, 'utf8'), path)));
}
