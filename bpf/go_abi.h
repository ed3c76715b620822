/* Go's internal register ABI (ABIInternal), as the uprobes see it.
 *
 * amd64 (Go 1.17+): integer arguments and results in RAX, RBX, RCX, RDI, RSI,
 * R8, R9, R10, R11; the current goroutine's g pointer is always in R14.
 * arm64 (Go 1.18+): integer arguments and results in X0..X15; g is in X28.
 *
 * No vmlinux.h: amd64 uses the uapi struct pt_regs (<asm/ptrace.h>); for arm64
 * the kernel hands uprobes a struct pt_regs whose first part is the uapi
 * struct user_pt_regs (regs[31], sp, pc, pstate), declared here so that the
 * cross-compile does not need arm64 kernel headers. */
#pragma once

#include <linux/types.h>

#if defined(__TARGET_ARCH_x86)
#include <asm/ptrace.h>
typedef struct pt_regs go_regs;
#define GO_ARG1(r) ((r)->rax)
#define GO_ARG2(r) ((r)->rbx)
#define GO_ARG3(r) ((r)->rcx)
#define GO_ARG4(r) ((r)->rdi)
#define GO_ARG5(r) ((r)->rsi)
#define GO_ARG6(r) ((r)->r8)
#define GO_G(r) ((r)->r14)
#elif defined(__TARGET_ARCH_arm64)
struct go_user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};
typedef struct go_user_pt_regs go_regs;
#define GO_ARG1(r) ((r)->regs[0])
#define GO_ARG2(r) ((r)->regs[1])
#define GO_ARG3(r) ((r)->regs[2])
#define GO_ARG4(r) ((r)->regs[3])
#define GO_ARG5(r) ((r)->regs[4])
#define GO_ARG6(r) ((r)->regs[5])
#define GO_G(r) ((r)->regs[28])
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif
