// The tracker's downloads: the shared HTTP layer (fetch/, also used by debian/) and safe tar extraction.
export { FetchError, type FetchErrorCode } from '../../fetch/errors.js';
export { httpClient, httpGet, httpGetText, type HttpOptions } from '../../fetch/http.js';
export { download, downloadPath, downloadTempDir, type DownloadOptions } from '../../fetch/download.js';
export { extractTar, unsafeEntryReason } from './extract.js';
