// Where the web console lives on the S3 port. `_sklad` is not a valid bucket name, so no S3 path collides.
export const CONSOLE_PREFIX = '/_sklad/console';
export const CONSOLE_API = `${CONSOLE_PREFIX}/api`;
