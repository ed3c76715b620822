/**
 * The struct fields the eBPF programs read, by the name of the .rodata
 * constant that carries each offset (bpf/nethttp.bpf.c).
 */
export const FIELDS = {
  off_g_goid: 'runtime.g.goid',
  off_request_method: 'net/http.Request.Method',
  off_request_url: 'net/http.Request.URL',
  off_url_path: 'net/url.URL.Path',
  off_url_host: 'net/url.URL.Host',
  off_response_status: 'net/http.response.status',
  off_client_status_code: 'net/http.Response.StatusCode',
} as const;

export type ConstantName = keyof typeof FIELDS;

/**
 * Fields read when known, never required: the ServeMux pattern that matched a
 * server request (Go 1.22+). Without both, spans carry no route.
 */
export const ROUTE_FIELDS = {
  off_request_pat: 'net/http.Request.pat',
  off_pattern_str: 'net/http.pattern.str',
} as const;

export type RouteConstantName = keyof typeof ROUTE_FIELDS;
