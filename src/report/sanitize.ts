/**
 * Neutralises control characters and ANSI escape sequences in log text before it reaches a
 * terminal: ESC and other C0/C1 controls become visible `\xNN` escapes, tabs become a space.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function neutralize(text: string): string {
  return text.replace(/\t/g, ' ').replace(/\r?\n/g, ' ⏎ ').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
