/**
 * Why a webhook URL cannot be stored as written, or null. URLs are kept as typed and shown back, so
 * anything the WHATWG parser would quietly fix (strip, re-slash, default) is refused instead: what is
 * stored is what is delivered to.
 */
export function webhookUrlProblem(url: string): string | null {
  if (/[\s\p{Cc}]/u.test(url)) {
    return 'Webhook URLs must not contain spaces or control characters (CR, LF, NUL...); percent-encode them.';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not an absolute URL; write e.g. https://example.com/webhooks.`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `Webhook URLs must use http or https, not ${parsed.protocol.slice(0, -1)}.`;
  }
  // `http:///x` and `http:x` parse as host "x": the host must follow the two slashes as written.
  if (!/^https?:\/\/[^/\\?#@]/i.test(url)) {
    return 'Webhook URLs must name a host after the scheme, as in https://example.com/webhooks.';
  }
  if (parsed.port === '0') return 'Webhook URLs must not use port 0.';
  return null;
}
