/**
 * The UI's Content-Security-Policy, one for the desktop window and the headless server: scripts
 * only from the app itself; styles may be inline (React style props); nothing framed, posted or
 * embedded. renderer/index.html carries the same policy as a meta tag for what a header cannot reach.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');
