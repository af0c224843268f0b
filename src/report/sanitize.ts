/**
 * Log text never reaches a terminal raw. Everything printed that came from a log, a file name or a
 * trace export goes through `neutralize`: C0 and C1 control characters (ESC, BEL, backspace, CR,
 * NUL, the 8-bit CSI U+009B, …) become visible `\xNN`, and the Unicode controls that reorder or
 * hide text (bidi overrides and isolates U+202A–U+202E / U+2066–U+2069, marks U+200E/U+200F/U+061C,
 * zero-width characters, line/paragraph separators, BOM, interlinear annotations) become visible
 * `\uXXXX`. Tabs become a space and line breaks a visible ` ⏎ `, so one log entry stays one line.
 *
 * `guardOutput` and `guardStderr` are the last line of defence the CLI applies to everything it
 * writes (see src/cli/main.ts): they keep the tool's own colour codes and newlines and escape
 * anything else a renderer might have let through, in a JSON-compatible `\uXXXX` form so that
 * `--format json` stays valid (JSON.stringify escapes U+0000–U+001F itself, not DEL, C1 or bidi).
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}

function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
}

/** One log-derived value as a single printable line. */
export function neutralize(text: string): string {
  return text.replace(/\t/g, ' ').replace(/\r?\n/g, ' ⏎ ').replace(CONTROL, visible);
}

/** `neutralize` for an optional value (`?` when absent). */
export function neutralizeOr(text: string | null | undefined, absent = '?'): string {
  return text === null || text === undefined ? absent : neutralize(text);
}

// Everything a terminal may interpret except \t and \n; ESC is handled separately (colour codes).
// eslint-disable-next-line no-control-regex
const OUTPUT_CONTROL = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufff9-\ufffb]/g;
/** ESC that does not start one of our own SGR colour sequences (`ESC [ n ; n m`). */
// eslint-disable-next-line no-control-regex
const FOREIGN_ESC = /\u001b(?!\[\d{1,3}(?:;\d{1,3})*m)/g;

function jsonEscape(c: string): string {
  return `\\u${hex(c, 4)}`;
}

/**
 * Last line of defence for stdout: keeps newlines, tabs and SGR colour codes, escapes every other
 * control character as `\uXXXX` (valid inside a JSON string, where they can only be). A no-op on
 * output the renderers already neutralised.
 */
export function guardOutput(text: string): string {
  return text.replace(OUTPUT_CONTROL, jsonEscape).replace(FOREIGN_ESC, '\\u001b');
}

/** Last line of defence for stderr (never coloured): keeps newlines, escapes every other control. */
export function guardStderr(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\t/g, ' ').replace(OUTPUT_CONTROL, visible).replace(/\u001b/g, '\\x1b');
}

/** JSON for a terminal: JSON.stringify, then the controls it leaves raw (DEL, C1, bidi) escaped. */
export function safeJson(value: unknown, indent?: number): string {
  return guardOutput(JSON.stringify(value, null, indent));
}
