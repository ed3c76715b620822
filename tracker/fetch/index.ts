export { FetchError, type FetchErrorCode } from './errors.js';
export { httpClient, httpGet, httpGetText, type HttpOptions } from './http.js';
export { download, downloadPath, downloadTempDir, type DownloadOptions } from './download.js';
export { extractTar, unsafeEntryReason } from './extract.js';
