/** RFC 5987 attr-char: what encodeURIComponent leaves alone but for ' ( ) * */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * `attachment` with the name twice (RFC 6266): a plain-ASCII fallback for old
 * clients, quotes and backslashes replaced, and the exact UTF-8 name as
 * `filename*`. The name is already sanitised (no path, no control characters).
 */
export function attachment(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encode(fileName)}`
}
