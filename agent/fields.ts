/**
 * The struct fields the eBPF programs read, by the name of the .rodata
 * constant that carries each offset (bpf/nethttp.bpf.c, bpf/go_map.h).
 */
import { GO_MAP_LAYOUT } from './go-map.js';

/** Required: without any of these the agent refuses to attach. */
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

/** One way to provide a feature: its fields, and constants that come with them. */
export interface Alternative {
  fields: Readonly<Record<string, string>>;
  constants?: Readonly<Record<string, number>>;
}

/**
 * Optional features of the programs, each used when every field of one of
 * its alternatives is known (the first such alternative wins); otherwise its
 * constants stay 0, which the programs read as "unknown".
 */
export const FEATURES = {
  /** The ServeMux pattern that matched a server request (Go 1.22+): spans carry a route. */
  route: {
    what: 'server routes',
    alternatives: [{ fields: { off_request_pat: 'net/http.Request.pat', off_pattern_str: 'net/http.pattern.str' } }],
  },
  /** An incoming `traceparent` header, found in net/http.Header (a map) by either map implementation. */
  traceparent: {
    what: 'incoming traceparent',
    alternatives: [
      {
        fields: {
          off_request_header: 'net/http.Request.Header',
          off_map_dirptr: 'internal/runtime/maps.Map.dirPtr',
          off_map_dirlen: 'internal/runtime/maps.Map.dirLen',
          off_table_groups: 'internal/runtime/maps.table.groups',
          off_groupsref_data: 'internal/runtime/maps.groupsReference.data',
          off_groupsref_mask: 'internal/runtime/maps.groupsReference.lengthMask',
        },
        constants: GO_MAP_LAYOUT.swiss,
      },
      {
        fields: {
          off_request_header: 'net/http.Request.Header',
          off_hmap_flags: 'runtime.hmap.flags',
          off_hmap_B: 'runtime.hmap.B',
          off_hmap_buckets: 'runtime.hmap.buckets',
          off_hmap_oldbuckets: 'runtime.hmap.oldbuckets',
        },
        constants: GO_MAP_LAYOUT.buckets,
      },
    ],
  },
} as const satisfies Record<string, { what: string; alternatives: readonly Alternative[] }>;

export type FeatureName = keyof typeof FEATURES;

/** Every field the programs may read: FIELDS, then each alternative's, each once. */
export function allFields(): string[] {
  const fields = new Set<string>(Object.values(FIELDS));
  for (const feature of Object.values(FEATURES)) for (const alt of feature.alternatives) for (const f of Object.values(alt.fields)) fields.add(f);
  return [...fields];
}

/** Every constant the programs take: field offsets and the alternatives' own constants. */
export function allConstantNames(): string[] {
  const names = new Set<string>(Object.keys(FIELDS));
  for (const feature of Object.values(FEATURES))
    for (const alt of feature.alternatives as readonly Alternative[]) for (const n of [...Object.keys(alt.fields), ...Object.keys(alt.constants ?? {})]) names.add(n);
  return [...names];
}
