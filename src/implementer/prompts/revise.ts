// The follow-up turn after a refused edit: the exact apply or pre-flight error, and what to send back.

const ERROR_CHARS = 6000;

export function revisePrompt(error: string): string {
  const exact = error.length <= ERROR_CHARS ? error : `${error.slice(0, ERROR_CHARS)}\n… (cut)`;
  return [
    'That edit could not be used. The exact error:',
    '',
    exact,
    '',
    'Write the complete edit again, against the original files shown above: every change the idea needs, not only the fix, in the same format. Answer with the edit only.',
  ].join('\n');
}
