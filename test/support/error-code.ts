/** The `code` of what `fn` throws (a GoOffsetsError's, or a system error's such as ENOENT), or undefined when it returns. */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}
