/* gRPC spans from grpc-go (1.33 and later: the register ABI), included by
 * nethttp.bpf.c after the HTTP programs, whose maps and helpers it shares.
 *
 * Server: grpc.(*Server).handleStream(s, t ServerTransport, stream[, trInfo])
 *   runs once per RPC, unary or streaming, on the goroutine that then runs
 *   the handler: a span from its entry to its RETs. The stream is a
 *   *transport.Stream, or from grpc 1.69 a *transport.ServerStream that
 *   embeds the Stream (off_server_stream_stream; 0 before).
 *   The status is the one transport.(*http2Server).WriteStatus(t, s, st)
 *   (writeStatus from grpc 1.69) is given: it may run on another goroutine
 *   (a streaming handler's), so it is kept by stream, the first one winning.
 *   operateHeaders(t, [ctx,] frame, ...) reads each new stream's HEADERS on
 *   the connection's reader goroutine, before the handler starts: an
 *   incoming traceparent is kept by (transport, stream id), as stream ids
 *   restart at 1 on every connection.
 * Client: grpc.(*ClientConn).Invoke(cc, ctx, method string, args, reply,
 *   opts...) error: a span from its entry to its RETs; the code comes from
 *   the returned error (error_code). Streaming calls: NewStream to the
 *   stream's finish (below). */
#pragma once

/* Its maps are named grpc_*: agent/probes.ts GRPC_MAPS sizes them down for a target without gRPC. */

/* Server spans. */
const volatile __u64 off_stream_method = 0;        /* transport.Stream.method */
const volatile __u64 off_stream_id = 0;            /* transport.Stream.id (uint32) */
const volatile __u64 off_server_stream_stream = 0; /* transport.ServerStream.Stream, embedded by value */
const volatile __u64 off_status_proto = 0;         /* internal/status.Status.s (*spb.Status) */
const volatile __u64 off_proto_code = 0;           /* genproto rpc/status.Status.Code (int32) */
const volatile __u64 grpc_server = 0;              /* 1 when the server offsets above are set */
/* Client spans. */
const volatile __u64 off_clientconn_target = 0;    /* grpc.ClientConn.target */
const volatile __u64 status_error_hash = 0;        /* abi.Type.Hash of *internal/status.Error; 0: unknown */
const volatile __u64 off_error_status = 0;         /* internal/status.Error.s (*Status), or .e (*spb.Status) in grpc < 1.40 */
const volatile __u64 error_holds_proto = 0;        /* 1 when that field is .e */
const volatile __u64 eof_error_hash = 0;           /* abi.Type.Hash of *errors.errorString (io.EOF's type); 0: unknown */
const volatile __u64 grpc_client = 0;              /* 1 when the client offsets above are set */
/* Incoming metadata. */
const volatile __u64 headers_frame_arg = 0;        /* operateHeaders' frame argument: 2 (grpc < 1.60) or 4; 0: not read */
const volatile __u64 off_meta_headers = 0;         /* http2.MetaHeadersFrame.HeadersFrame (*HeadersFrame) */
const volatile __u64 off_meta_fields = 0;          /* http2.MetaHeadersFrame.Fields ([]hpack.HeaderField) */
const volatile __u64 off_headers_frameheader = 0;  /* http2.HeadersFrame.FrameHeader */
const volatile __u64 off_frameheader_streamid = 0; /* http2.FrameHeader.StreamID (uint32) */

/* hpack.HeaderField{Name, Value string; Sensitive bool}, unchanged since x/net's first hpack. */
#define HPACK_FIELD_SIZE 40
#define HPACK_FIELDS_MAX 32
#define GRPC_UNKNOWN 2

struct grpc_stream_key {
	__u64 transport;
	__u32 id;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* goroutine id */
	__type(value, struct inflight); /* req: the stream */
} grpc_server_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* goroutine id */
	__type(value, struct inflight);
} grpc_client_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* the stream */
	__type(value, __s64);
} grpc_status SEC(".maps");

/* LRU: streams refused before a handler starts never take theirs out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct grpc_stream_key);
	__type(value, struct trace_parent);
} grpc_parents SEC(".maps");

/* The HTTP or gRPC server span in flight on this goroutine, if any. */
static __always_inline struct inflight *server_span_of_goroutine(__u64 goid)
{
	struct inflight *server = bpf_map_lookup_elem(&server_inflight, &goid);
	if (!server)
		server = bpf_map_lookup_elem(&grpc_server_inflight, &goid);
	return server;
}

/* A client span's trace: that of the server span in flight on its goroutine (its child), else a new one. */
static __always_inline void join_trace(struct span *span)
{
	struct inflight *server = server_span_of_goroutine(span->goid);
	if (server) {
		__builtin_memcpy(span->trace_id, server->span.trace_id, TRACE_ID_SIZE);
		__builtin_memcpy(span->parent_span_id, server->span.span_id, SPAN_ID_SIZE);
		return;
	}
	new_trace_id(span->trace_id);
}

SEC("uprobe")
int grpc_server_enter(go_regs *regs)
{
	if (!grpc_server)
		return 0;
	/* Args: s, t (iface: itab, data = the *http2Server), stream. */
	__u64 transport = GO_ARG3(regs);
	__u64 stream = GO_ARG4(regs);
	struct inflight *in = new_inflight(regs, SPAN_KIND_SERVER, SPAN_PROTOCOL_GRPC);
	if (!in)
		return 0;
	__u64 s = stream + off_server_stream_stream;
	in->span.path_len = read_go_string(s + off_stream_method, in->span.path, PATH_MAX_LEN);
	in->req = stream;
	struct grpc_stream_key key = {.transport = transport};
	bpf_probe_read_user(&key.id, sizeof(key.id), (void *)(s + off_stream_id));
	struct trace_parent *tp = bpf_map_lookup_elem(&grpc_parents, &key);
	if (tp) {
		__builtin_memcpy(in->span.trace_id, tp->trace_id, TRACE_ID_SIZE);
		__builtin_memcpy(in->span.parent_span_id, tp->span_id, SPAN_ID_SIZE);
		bpf_map_delete_elem(&grpc_parents, &key);
	} else {
		new_trace_id(in->span.trace_id);
	}
	in->span.start_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&grpc_server_inflight, &in->span.goid, in, BPF_ANY) != 0)
		count(COUNTER_INFLIGHT_FULL);
	return 0;
}

/* The code of a *spb.Status (nil: OK). */
static __always_inline __s64 proto_code(__u64 proto)
{
	__s32 code = 0;
	if (proto)
		bpf_probe_read_user(&code, sizeof(code), (void *)(proto + off_proto_code));
	return code;
}

/* The code of a *status.Status (nil, or nil inside: OK). */
static __always_inline __s64 status_code(__u64 status)
{
	return proto_code(status ? read_u64(status + off_status_proto) : 0);
}

SEC("uprobe")
int grpc_write_status(go_regs *regs)
{
	if (!grpc_server)
		return 0;
	/* Args: t, s (the stream), st (*status.Status). */
	__u64 stream = GO_ARG2(regs);
	__s64 code = status_code(GO_ARG3(regs));
	bpf_map_update_elem(&grpc_status, &stream, &code, BPF_NOEXIST);
	return 0;
}

static __always_inline void emit(struct span *span, __s64 status)
{
	struct span *out = bpf_ringbuf_reserve(&spans, sizeof(struct span), 0);
	if (!out) {
		count(COUNTER_RINGBUF_FULL);
		return;
	}
	__builtin_memcpy(out, span, sizeof(struct span));
	__u64 now = bpf_ktime_get_ns();
	out->end_ns = now;
	out->status = status;
	bpf_ringbuf_submit(out, wakeup_flag(now));
}

SEC("uprobe")
int grpc_server_return(go_regs *regs)
{
	__u64 goid = current_goid(regs);
	struct inflight *in = entry_of(&grpc_server_inflight, goid);
	if (!in)
		return 0;
	__u64 stream = in->req;
	__s64 *code = bpf_map_lookup_elem(&grpc_status, &stream);
	/* No status written: the stream ended without one (a reset). */
	emit(&in->span, code ? *code : GRPC_UNKNOWN);
	bpf_map_delete_elem(&grpc_status, &stream);
	bpf_map_delete_elem(&grpc_server_inflight, &goid);
	return 0;
}

struct header_scan {
	__u64 fields;
	__u64 transport;
	__u32 stream_id;
	__u32 n;
};

static long scan_header_field(__u32 i, struct header_scan *h)
{
	struct go_str nv[2]; /* Name, Value */
	if (i >= h->n || bpf_probe_read_user(nv, sizeof(nv), (void *)(h->fields + (__u64)i * HPACK_FIELD_SIZE)) != 0)
		return 1;
	if (nv[0].len != 11)
		return 0;
	char name[11];
	if (bpf_probe_read_user(name, sizeof(name), (void *)nv[0].ptr) != 0)
		return 0;
	const char want[11] = "traceparent";
	for (int j = 0; j < 11; j++)
		if (name[j] != want[j])
			return 0;
	char text[64];
	struct trace_parent tp;
	__u64 n = nv[1].len < sizeof(text) ? nv[1].len : sizeof(text);
	if (nv[1].len >= TRACEPARENT_LEN && bpf_probe_read_user(text, n, (void *)nv[1].ptr) == 0 && parse_traceparent(text, nv[1].len, &tp)) {
		struct grpc_stream_key key = {.transport = h->transport, .id = h->stream_id};
		bpf_map_update_elem(&grpc_parents, &key, &tp, BPF_ANY);
	} else {
		count(COUNTER_BAD_TRACEPARENT);
	}
	return 1;
}

SEC("uprobe")
int grpc_operate_headers(go_regs *regs)
{
	if (!headers_frame_arg)
		return 0;
	/* Args: t (*http2Server), then frame (grpc < 1.60), or ctx (iface) and frame. */
	/* Both read first: a choice between two context offsets is a modified ctx pointer to the verifier. */
	__u64 arg2 = GO_ARG2(regs), arg4 = GO_ARG4(regs);
	barrier_var(arg2);
	barrier_var(arg4);
	__u64 frame = headers_frame_arg == 2 ? arg2 : arg4;
	struct header_scan h = {.transport = GO_ARG1(regs)};
	__u64 hf = read_u64(frame + off_meta_headers);
	if (!hf)
		return 0;
	bpf_probe_read_user(&h.stream_id, sizeof(h.stream_id), (void *)(hf + off_headers_frameheader + off_frameheader_streamid));
	__u64 slice[2] = {0, 0};
	bpf_probe_read_user(slice, sizeof(slice), (void *)(frame + off_meta_fields));
	h.fields = slice[0];
	h.n = slice[1] < HPACK_FIELDS_MAX ? slice[1] : HPACK_FIELDS_MAX;
	bpf_loop(HPACK_FIELDS_MAX, scan_header_field, &h, 0);
	return 0;
}

/* Starts a gRPC client span: the method (a Go string in two registers, ptr and
 * len), the ClientConn's target, the trace of the goroutine; kept under goid in `pending`. */
static __always_inline void begin_client_call(go_regs *regs, __u64 cc, __u64 method_ptr, __u64 method_len, void *pending)
{
	struct inflight *in = new_inflight(regs, SPAN_KIND_CLIENT, SPAN_PROTOCOL_GRPC);
	if (!in)
		return;
	__u64 len = method_len < PATH_MAX_LEN ? method_len : PATH_MAX_LEN - 1;
	len &= PATH_MAX_LEN - 1;
	if (len && bpf_probe_read_user(in->span.path, len, (void *)method_ptr) == 0)
		in->span.path_len = len;
	in->span.host_len = read_go_string(cc + off_clientconn_target, in->span.host, HOST_MAX);
	join_trace(&in->span);
	in->span.start_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(pending, &in->span.goid, in, BPF_ANY) != 0)
		count(COUNTER_INFLIGHT_FULL);
}

SEC("uprobe")
int grpc_client_enter(go_regs *regs)
{
	/* Args: cc, ctx (iface), method (string), args, reply, opts... */
	if (grpc_client)
		begin_client_call(regs, GO_ARG1(regs), GO_ARG4(regs), GO_ARG5(regs), &grpc_client_inflight);
	return 0;
}

/* The gRPC code of a returned error (itab, data): OK for nil and for io.EOF
 * (a stream that ended well), the status's code for a *status.Error, and
 * Unknown for any other error (what status.FromError says of it). The
 * dynamic type is told by the itab's copy of the type's hash (itab.hash, at
 * 16 in every Go since 1.15), which does not move with the load address. */
static __always_inline __s64 error_code(__u64 itab, __u64 data)
{
	if (!itab)
		return 0;
	__u32 hash = 0;
	bpf_probe_read_user(&hash, sizeof(hash), (void *)(itab + 16));
	if (eof_error_hash && hash == (__u32)eof_error_hash && data) {
		struct go_str s = {0, 0}; /* errors.errorString{s string} */
		char text[3] = {0, 0, 0};
		bpf_probe_read_user(&s, sizeof(s), (void *)data);
		if (s.len == 3 && bpf_probe_read_user(text, sizeof(text), (void *)s.ptr) == 0 && text[0] == 'E' && text[1] == 'O' && text[2] == 'F')
			return 0;
		return GRPC_UNKNOWN;
	}
	if (!status_error_hash || hash != (__u32)status_error_hash || !data)
		return GRPC_UNKNOWN;
	__u64 field = read_u64(data + off_error_status);
	return error_holds_proto ? proto_code(field) : status_code(field);
}

SEC("uprobe")
int grpc_client_return(go_regs *regs)
{
	__u64 goid = current_goid(regs);
	struct inflight *in = entry_of(&grpc_client_inflight, goid);
	if (!in)
		return 0;
	/* The error result: itab, data. */
	emit(&in->span, error_code(GO_ARG1(regs), GO_ARG2(regs)));
	bpf_map_delete_elem(&grpc_client_inflight, &goid);
	return 0;
}

/* Streaming client calls: a span from (*ClientConn).NewStream's entry to the
 * stream's end, (*clientStream).finish(cs, err), which may run on another
 * goroutine: the span waits in grpc_streams under the *clientStream that
 * newClientStream returned inside NewStream (NewStream itself may return an
 * interceptor's wrapper). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* goroutine id, while NewStream runs */
	__type(value, struct inflight); /* req: the *clientStream, once known */
} grpc_stream_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* the *clientStream */
	__type(value, struct inflight);
} grpc_streams SEC(".maps");

SEC("uprobe")
int grpc_stream_enter(go_regs *regs)
{
	/* Args: cc, ctx (iface), desc, method (string), opts... */
	if (grpc_client)
		begin_client_call(regs, GO_ARG1(regs), GO_ARG5(regs), GO_ARG6(regs), &grpc_stream_pending);
	return 0;
}

SEC("uprobe")
int grpc_new_client_stream_return(go_regs *regs)
{
	__u64 goid = current_goid(regs);
	struct inflight *in = bpf_map_lookup_elem(&grpc_stream_pending, &goid);
	/* Results: the ClientStream (itab, data = the *clientStream), the error. */
	if (in && GO_ARG1(regs))
		in->req = GO_ARG2(regs);
	return 0;
}

SEC("uprobe")
int grpc_stream_return(go_regs *regs)
{
	__u64 goid = current_goid(regs);
	struct inflight *in = entry_of(&grpc_stream_pending, goid);
	if (!in)
		return 0;
	/* Results: the ClientStream (itab, data), then the error (itab, data). */
	__u64 err_itab = GO_ARG3(regs), err_data = GO_ARG4(regs);
	if (err_itab || !in->req)
		emit(&in->span, err_itab ? error_code(err_itab, err_data) : GRPC_UNKNOWN);
	else if (bpf_map_update_elem(&grpc_streams, &in->req, in, BPF_ANY) != 0)
		count(COUNTER_INFLIGHT_FULL);
	bpf_map_delete_elem(&grpc_stream_pending, &goid);
	return 0;
}

SEC("uprobe")
int grpc_stream_finish(go_regs *regs)
{
	/* Args: cs, err (itab, data). Only the first call ends the stream (cs.finished). */
	__u64 cs = GO_ARG1(regs);
	struct inflight *in = bpf_map_lookup_elem(&grpc_streams, &cs);
	if (!in)
		return 0;
	emit(&in->span, error_code(GO_ARG2(regs), GO_ARG3(regs)));
	bpf_map_delete_elem(&grpc_streams, &cs);
	return 0;
}
