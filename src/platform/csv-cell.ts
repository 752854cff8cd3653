/**
 * One CSV cell (RFC 4180) that is also safe to open in a spreadsheet: a value starting with = + - @ (or a tab or
 * carriage return) would run as a formula in Excel and its peers, so it gets a leading apostrophe; then it is quoted
 * when it holds a quote, comma or line break.
 * @example csvCell('=HYPERLINK("x")') // '"\'=HYPERLINK(""x"")"'
 */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
