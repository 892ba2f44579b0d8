/** Quarantine reason codes produced by the readers (a public contract: names are kept, new ones are added). */
export const READ_REASONS = {
  malformed: 'malformed_json',
  notObject: 'not_object',
  invalidUtf8: 'invalid_utf8',
  /** a JSONL line over input.maxLineBytes */
  lineTooLong: 'line_too_long',
  /** a JSON array element over input.maxLineBytes */
  tooLarge: 'too_large',
  /** a JSONL line or JSON array element nested deeper than input.maxDepth */
  tooDeep: 'too_deep',
  /** a JSON array whose structure breaks: the rest of the source cannot be read */
  arrayAborted: 'malformed_json_array',
} as const;
