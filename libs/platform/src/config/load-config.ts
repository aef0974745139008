import { z } from 'zod';

/**
 * Raised before Nest starts when the environment does not satisfy a service's schema.
 * It lists every offending variable at once, so an operator fixes them in one pass.
 */
export class ConfigurationError extends Error {
  constructor(
    readonly serviceName: string,
    readonly problems: ReadonlyArray<{ variable: string; problem: string }>,
  ) {
    super(
      `${serviceName}: invalid configuration\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigurationError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * The one config loader. Every service calls it with its own typed schema at start-up.
 * Empty strings count as missing: `FOO=` in an env file should not silently become 0 or ''.
 */
export function loadConfig<S extends z.ZodType>(
  serviceName: string,
  schema: S,
  env: Env = process.env,
): z.infer<S> {
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(root)';
    const missing = cleaned[variable] === undefined;
    return {
      variable,
      problem: missing ? `is required but not set (${issue.message})` : issue.message,
    };
  });
  throw new ConfigurationError(serviceName, problems);
}
