/** Polls `probe` until it returns a value that satisfies `done`, or fails with the last value seen. */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number } = { timeoutMs: 30_000 },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${description}; last value: ${JSON.stringify(last)}` +
      (lastError ? `; last error: ${String(lastError)}` : ''),
  );
}
