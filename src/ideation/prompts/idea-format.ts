// The answer format every ideation prompt asks for: the paper's tagged ideas, with a title (JSON is accepted too).

export function ideaFormat(options: { buildsOn?: boolean } = {}): string {
  return [
    '## Answer format',
    'Write each idea as:',
    '',
    '[Title] a short name, under 80 characters',
    ...(options.buildsOn ? ['[Builds On] the numbers of the ideas above it builds on, e.g. P1, P4'] : []),
    '[Experiment] what to try and why it should help, in a few sentences',
    '[Code Changes] which files and functions change and how, with every new value (hyper-parameters, sizes, constants)',
    '[End]',
    '',
    'Write nothing else: no introduction, no numbering, no Markdown fences. Each idea must stand on its own: whoever implements it sees that idea and the code, nothing else.',
  ].join('\n');
}
