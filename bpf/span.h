/* The record the eBPF programs write to the ring buffer. agent/span.ts
 * decodes it: keep both in step (sizes and offsets are checked there). */
#pragma once

#include <linux/types.h>

#define SPAN_KIND_SERVER 1
#define SPAN_KIND_CLIENT 2

#define METHOD_MAX 16
#define PATH_MAX_LEN 128
#define HOST_MAX 64
#define ROUTE_MAX 128

struct span {
	__u64 start_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 end_ns;
	__u64 goid;
	__s64 status;
	__u32 pid;
	__u32 kind;
	__u32 method_len; /* bytes copied into method/path/host */
	__u32 path_len;
	__u32 host_len;
	__u32 route_len; /* server: the ServeMux pattern that matched (Go 1.22+), 0 if none */
	char method[METHOD_MAX];
	char path[PATH_MAX_LEN];
	char host[HOST_MAX];
	char route[ROUTE_MAX]; /* the pattern as registered, e.g. "GET /items/{id}" */
};

/* Indexes of the counters map. */
#define COUNTER_RINGBUF_FULL 0 /* spans lost because the ring buffer was full */
#define COUNTER_INFLIGHT_FULL 1 /* entries that found no room in the in-flight map */
#define COUNTER_UNPAIRED_RETURN 2 /* return sites reached with no recorded entry */
#define COUNTER_COUNT 3
