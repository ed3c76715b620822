// The one HTTP client of the project (undici): timeouts, retries with backoff, resumed bodies,
// redirects, checksum-verified downloads. debian/ and tracker/ both use it and map its
// FetchError codes onto their own at their boundary.
export { FetchError, type FetchErrorCode } from './errors.js';
export { httpClient, httpGet, httpGetBody, httpGetBytes, httpGetText, toFetchError, type HttpOptions } from './http.js';
export { download, downloadPath, downloadTempDir, type DownloadOptions } from './download.js';
