// The HTML error page of the website endpoint, laid out as S3's: a title, the code, message and details.
import type { S3Error } from '../errors/s3-error.js';

const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' };

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `customDocumentFailure`: the error document could not be read either, which S3 reports below the error. */
export function errorPage(error: S3Error, requestId: string, customDocumentFailure?: S3Error): string {
  const title = `${error.status} ${REASONS[error.status] ?? 'Error'}`;
  const items = (e: S3Error): string =>
    [`Code: ${e.code}`, `Message: ${e.message}`, ...Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`)]
      .map((line) => `<li>${escapeHtml(line)}</li>\n`).join('');
  const custom = customDocumentFailure === undefined ? '' :
    `<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n${items(customDocumentFailure)}</ul>\n`;
  return `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n${items(error)}<li>RequestId: ${requestId}</li>\n<li>HostId: ${requestId}</li>\n</ul>\n${custom}<hr/>\n</body>\n</html>\n`;
}
