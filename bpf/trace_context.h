/* W3C trace context (https://www.w3.org/TR/trace-context/): ids for new
 * spans, and the parsing of a `traceparent` value,
 * "00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>". */
#pragma once

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define TRACE_ID_SIZE 16
#define SPAN_ID_SIZE 8
#define TRACEPARENT_LEN 55

struct trace_parent {
	__u8 trace_id[TRACE_ID_SIZE];
	__u8 span_id[SPAN_ID_SIZE];
};

static __always_inline void random_bytes(__u8 *dst, int words)
{
	for (int i = 0; i < words; i++) {
		__u32 r = bpf_get_prandom_u32();
		__builtin_memcpy(dst + 4 * i, &r, 4);
	}
}

/* A new trace id and span id. A trace id of all zeros is invalid: the odds
 * that four random words are all zero are 2^-128, not worth a branch. */
static __always_inline void new_trace_id(__u8 *trace_id)
{
	random_bytes(trace_id, TRACE_ID_SIZE / 4);
}

static __always_inline void new_span_id(__u8 *span_id)
{
	random_bytes(span_id, SPAN_ID_SIZE / 4);
}

/* Lowercase hex digit value, or -1: the format allows no uppercase. */
static __always_inline int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes n bytes of hex at src into dst; false if a digit is not lowercase hex,
 * or if every byte is zero (an invalid id). */
static __always_inline int decode_hex_id(const char *src, __u8 *dst, int n)
{
	__u8 any = 0;
	for (int i = 0; i < n; i++) {
		int hi = hex_value(src[2 * i]);
		int lo = hex_value(src[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		dst[i] = (hi << 4) | lo;
		any |= dst[i];
	}
	return any != 0;
}

/* Parses a version-00 traceparent value of exactly TRACEPARENT_LEN bytes.
 * Returns 1 when valid (tp filled), 0 when malformed. A version other than
 * 00 is read as 00 when it is longer and the first 55 bytes fit the format,
 * as the specification asks of a version-00 parser; ff is invalid. */
static __always_inline int parse_traceparent(const char *v, __u32 len, struct trace_parent *tp)
{
	if (len < TRACEPARENT_LEN)
		return 0;
	int ver_hi = hex_value(v[0]), ver_lo = hex_value(v[1]);
	if (ver_hi < 0 || ver_lo < 0 || (ver_hi == 0xf && ver_lo == 0xf))
		return 0;
	if (ver_hi == 0 && ver_lo == 0 && len != TRACEPARENT_LEN)
		return 0;
	if (len > TRACEPARENT_LEN && v[TRACEPARENT_LEN] != '-')
		return 0;
	if (v[2] != '-' || v[35] != '-' || v[52] != '-')
		return 0;
	if (hex_value(v[53]) < 0 || hex_value(v[54]) < 0)
		return 0;
	return decode_hex_id(v + 3, tp->trace_id, TRACE_ID_SIZE) && decode_hex_id(v + 36, tp->span_id, SPAN_ID_SIZE);
}
