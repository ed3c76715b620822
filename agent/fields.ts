/**
 * The struct fields the eBPF programs read, by the name of the .rodata
 * constant that carries each offset (bpf/nethttp.bpf.c, bpf/go_map.h).
 */
import { GO_MAP_LAYOUT } from './go-map.js';
import type { ProbeName } from './probes.js';

/** Required by every program: without it the agent refuses to attach. */
export const FIELDS = {
  off_g_goid: 'runtime.g.goid',
} as const;

/** Required as well when the target has the probe's function: the net/http spans' fields. */
export const PROBE_FIELDS: Partial<Record<ProbeName, Readonly<Record<string, string>>>> = {
  httpServer: {
    off_request_method: 'net/http.Request.Method',
    off_request_url: 'net/http.Request.URL',
    off_url_path: 'net/url.URL.Path',
    off_response_status: 'net/http.response.status',
  },
  httpClient: {
    off_request_method: 'net/http.Request.Method',
    off_request_url: 'net/http.Request.URL',
    off_url_path: 'net/url.URL.Path',
    off_url_host: 'net/url.URL.Host',
    off_client_status_code: 'net/http.Response.StatusCode',
  },
};

/** Constant name -> field of everything required of a target with these probes. */
export function requiredFields(probes: readonly ProbeName[]): Record<string, string> {
  const fields: Record<string, string> = { ...FIELDS };
  for (const p of probes) Object.assign(fields, PROBE_FIELDS[p] ?? {});
  return fields;
}

const TRANSPORT = 'google.golang.org/grpc/internal/transport';
const STATUS = 'google.golang.org/grpc/internal/status';
const HTTP2 = 'golang.org/x/net/http2';
const GRPC_STREAM = { off_stream_method: `${TRANSPORT}.Stream.method`, off_stream_id: `${TRANSPORT}.Stream.id` } as const;
const GRPC_STATUS = { off_status_proto: `${STATUS}.Status.s`, off_proto_code: 'google.golang.org/genproto/googleapis/rpc/status.Status.Code' } as const;

/** One way to provide a feature: its fields, and constants that come with them. */
export interface Alternative {
  fields: Readonly<Record<string, string>>;
  constants?: Readonly<Record<string, number>>;
}

export interface Feature {
  what: string;
  /** The probe that uses it: a target without that function has no use for the feature. */
  needs: ProbeName;
  alternatives: readonly Alternative[];
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
    needs: 'httpServer',
    alternatives: [{ fields: { off_request_pat: 'net/http.Request.pat', off_pattern_str: 'net/http.pattern.str' } }],
  },
  /** An incoming `traceparent` header, found in net/http.Header (a map) by either map implementation. */
  traceparent: {
    what: 'incoming traceparent',
    needs: 'httpServer',
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
  /** gRPC server spans: the method and id of the handled stream, and the code of the status written. */
  grpcServer: {
    what: 'gRPC server spans',
    needs: 'grpcServer',
    alternatives: [
      // grpc 1.69+: handleStream gets a *ServerStream, which embeds the Stream.
      { fields: { off_server_stream_stream: `${TRANSPORT}.ServerStream.Stream`, ...GRPC_STREAM, ...GRPC_STATUS }, constants: { grpc_server: 1 } },
      { fields: { ...GRPC_STREAM, ...GRPC_STATUS }, constants: { grpc_server: 1, off_server_stream_stream: 0 } },
    ],
  },
  /** gRPC client spans: the ClientConn's target, and the code in a returned status error. */
  grpcClient: {
    what: 'gRPC client spans',
    needs: 'grpcClient',
    alternatives: [
      { fields: { off_clientconn_target: 'google.golang.org/grpc.ClientConn.target', off_error_status: `${STATUS}.Error.s`, ...GRPC_STATUS }, constants: { grpc_client: 1, error_holds_proto: 0 } },
      // grpc 1.30-1.39: status.Error held the *spb.Status itself, as e.
      { fields: { off_clientconn_target: 'google.golang.org/grpc.ClientConn.target', off_error_status: `${STATUS}.Error.e`, off_proto_code: GRPC_STATUS.off_proto_code }, constants: { grpc_client: 1, error_holds_proto: 1 } },
    ],
  },
  /** An incoming traceparent in gRPC metadata: the HEADERS frame's fields and stream id. */
  grpcTraceparent: {
    what: 'incoming gRPC traceparent',
    needs: 'grpcHeaders',
    alternatives: [
      {
        fields: {
          off_meta_headers: `${HTTP2}.MetaHeadersFrame.HeadersFrame`,
          off_meta_fields: `${HTTP2}.MetaHeadersFrame.Fields`,
          off_headers_frameheader: `${HTTP2}.HeadersFrame.FrameHeader`,
          off_frameheader_streamid: `${HTTP2}.FrameHeader.StreamID`,
        },
      },
    ],
  },
} as const satisfies Record<string, Feature>;

export type FeatureName = keyof typeof FEATURES;

/** Every field the programs may read, each once. */
export function allFields(): string[] {
  const fields = new Set<string>(Object.values(FIELDS));
  for (const f of Object.values(PROBE_FIELDS)) for (const field of Object.values(f ?? {})) fields.add(field);
  for (const feature of Object.values(FEATURES) as Feature[]) for (const alt of feature.alternatives) for (const f of Object.values(alt.fields)) fields.add(f);
  return [...fields];
}

/** The fields a target with these probes may have read: its required fields and those of the features it can use, each once. */
export function fieldsFor(probes: readonly ProbeName[]): string[] {
  const fields = new Set<string>(Object.values(requiredFields(probes)));
  for (const [, feature] of featuresFor(probes)) for (const alt of feature.alternatives) for (const f of Object.values(alt.fields)) fields.add(f);
  return [...fields];
}

/** Every constant the programs take: field offsets and the alternatives' own constants. */
export function allConstantNames(): string[] {
  const names = new Set<string>(Object.keys(FIELDS));
  for (const f of Object.values(PROBE_FIELDS)) for (const n of Object.keys(f ?? {})) names.add(n);
  for (const feature of Object.values(FEATURES) as Feature[])
    for (const alt of feature.alternatives) for (const n of [...Object.keys(alt.fields), ...Object.keys(alt.constants ?? {})]) names.add(n);
  return [...names];
}

/** The features a target can use: those whose probe's function it has. */
export function featuresFor(probes: readonly ProbeName[]): [FeatureName, Feature][] {
  return (Object.entries(FEATURES) as [FeatureName, Feature][]).filter(([, f]) => probes.includes(f.needs));
}
