/*
 * bpfload: the guest's loader for the `bpf` trigger (guest-init.sh). Creates four named maps of
 * different types and loads three named eBPF programs of different types with the raw bpf(2)
 * system call (no libbpf, no BTF), pins them all in the bpffs at /sys/fs/bpf so they outlive
 * this process, and prints one "kdive-bpf:" line per object with the ID the kernel gave it
 * (dumps/refs.sh reads them). Any failure prints "kdive-error:" (which fails the make) and the
 * verifier's log. Built by make-one.sh with the host's gcc -static.
 *
 * What the programs exercise in crash's `bpf -t/-T/-j`: ALU64/ALU32 with register and
 * immediate sources, neg, endian, arsh, mod, loads/stores of each size, an atomic add, LD_ABS,
 * ld_imm64 of a map, helper calls, a tail call, a bpf-to-bpf call, JMP and JMP32 branches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(CODE, DST, SRC, OFF, IMM) ((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), .off = (OFF), .imm = (IMM) })
#define MOV64_REG(D, S)     INSN(BPF_ALU64 | BPF_MOV | BPF_X, D, S, 0, 0)
#define MOV64_IMM(D, I)     INSN(BPF_ALU64 | BPF_MOV | BPF_K, D, 0, 0, I)
#define ALU64_IMM(OP, D, I) INSN(BPF_ALU64 | (OP) | BPF_K, D, 0, 0, I)
#define ALU64_REG(OP, D, S) INSN(BPF_ALU64 | (OP) | BPF_X, D, S, 0, 0)
#define ALU32_IMM(OP, D, I) INSN(BPF_ALU | (OP) | BPF_K, D, 0, 0, I)
#define ALU32_REG(OP, D, S) INSN(BPF_ALU | (OP) | BPF_X, D, S, 0, 0)
#define LDX(SZ, D, S, OFF)  INSN(BPF_LDX | (SZ) | BPF_MEM, D, S, OFF, 0)
#define STX(SZ, D, S, OFF)  INSN(BPF_STX | (SZ) | BPF_MEM, D, S, OFF, 0)
#define ST(SZ, D, OFF, I)   INSN(BPF_ST | (SZ) | BPF_MEM, D, 0, OFF, I)
#define ATOMIC_ADD64(D, S, OFF) INSN(BPF_STX | BPF_DW | BPF_ATOMIC, D, S, OFF, BPF_ADD)
#define LD_MAP(D, FD)       INSN(BPF_LD | BPF_DW | BPF_IMM, D, BPF_PSEUDO_MAP_FD, 0, FD), INSN(0, 0, 0, 0, 0)
#define LD_ABS_B(I)         INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0, I)
#define CALL(FN)            INSN(BPF_JMP | BPF_CALL, 0, 0, 0, FN)
#define CALL_LOCAL(REL)     INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, REL)
#define JMP_IMM(OP, D, I, OFF)   INSN(BPF_JMP | (OP) | BPF_K, D, 0, OFF, I)
#define JMP_REG(OP, D, S, OFF)   INSN(BPF_JMP | (OP) | BPF_X, D, S, OFF, 0)
#define JMP32_IMM(OP, D, I, OFF) INSN(BPF_JMP32 | (OP) | BPF_K, D, 0, OFF, I)
#define EXIT()              INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static char verifier_log[65536];

static long bpf(int cmd, union bpf_attr *attr) {
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void fail(const char *what) {
    printf("kdive-error: bpfload: %s: %s\n", what, strerror(errno));
    if (verifier_log[0]) printf("%s\n", verifier_log);
    fflush(stdout);
    exit(1);
}

static unsigned object_id(int fd, int is_prog) {
    union bpf_attr a;
    struct bpf_prog_info pi;
    struct bpf_map_info mi;
    memset(&a, 0, sizeof(a));
    memset(&pi, 0, sizeof(pi));
    memset(&mi, 0, sizeof(mi));
    a.info.bpf_fd = fd;
    a.info.info_len = is_prog ? sizeof(pi) : sizeof(mi);
    a.info.info = is_prog ? (uint64_t)(uintptr_t)&pi : (uint64_t)(uintptr_t)&mi;
    if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) fail("BPF_OBJ_GET_INFO_BY_FD");
    return is_prog ? pi.id : mi.id;
}

static void pin(int fd, const char *name) {
    char path[128];
    union bpf_attr a;
    snprintf(path, sizeof(path), "/sys/fs/bpf/%s", name);
    memset(&a, 0, sizeof(a));
    a.pathname = (uint64_t)(uintptr_t)path;
    a.bpf_fd = fd;
    if (bpf(BPF_OBJ_PIN, &a)) fail(path);
}

static int map(const char *name, unsigned type, unsigned key, unsigned value, unsigned entries) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = entries;
    strncpy(a.map_name, name, sizeof(a.map_name) - 1);
    int fd = bpf(BPF_MAP_CREATE, &a);
    if (fd < 0) fail(name);
    pin(fd, name);
    printf("kdive-bpf: map %s id %u type %u key %u value %u entries %u\n", name, object_id(fd, 0), type, key, value, entries);
    return fd;
}

static int prog(const char *name, unsigned type, const struct bpf_insn *insns, unsigned n, const char *license) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = n;
    a.license = (uint64_t)(uintptr_t)license;
    a.log_buf = (uint64_t)(uintptr_t)verifier_log;
    a.log_size = sizeof(verifier_log);
    a.log_level = 1;
    strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
    int fd = bpf(BPF_PROG_LOAD, &a);
    if (fd < 0) fail(name);
    verifier_log[0] = 0;
    pin(fd, name);
    printf("kdive-bpf: prog %s id %u type %u insns %u license %s\n", name, object_id(fd, 1), type, n, license);
    return fd;
}

int main(void) {
    int array = map("kd_array", BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    int hash = map("kd_hash", BPF_MAP_TYPE_HASH, 4, 8, 16);
    int progs = map("kd_progs", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
    int pcpu = map("kd_pcpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 2);

    /* a socket filter that counts packets in kd_array[0] and looks at the IP protocol byte */
    struct bpf_insn sockfilt[] = {
        MOV64_REG(6, 1),
        ST(BPF_W, 10, -4, 0),
        MOV64_REG(2, 10),
        ALU64_IMM(BPF_ADD, 2, -4),
        LD_MAP(1, array),
        CALL(BPF_FUNC_map_lookup_elem),
        JMP_IMM(BPF_JEQ, 0, 0, 2),
        MOV64_IMM(1, 1),
        ATOMIC_ADD64(0, 1, 0),
        LD_ABS_B(23),
        ALU32_IMM(BPF_AND, 0, 0xff),
        INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16),
        ALU32_IMM(BPF_NEG, 0, 0),
        ALU64_IMM(BPF_ARSH, 0, 1),
        ALU64_IMM(BPF_MOD, 0, 7),
        JMP32_IMM(BPF_JGT, 0, 3, 1),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    /* a kprobe program: the current pid/tgid into kd_hash, then a tail call through kd_progs */
    struct bpf_insn kprobe[] = {
        MOV64_REG(6, 1),
        CALL(BPF_FUNC_get_current_pid_tgid),
        STX(BPF_DW, 10, 0, -8),
        MOV64_REG(1, 0),
        ALU64_IMM(BPF_RSH, 1, 32),
        STX(BPF_W, 10, 1, -12),
        MOV64_REG(2, 10),
        ALU64_IMM(BPF_ADD, 2, -12),
        MOV64_REG(3, 10),
        ALU64_IMM(BPF_ADD, 3, -8),
        LD_MAP(1, hash),
        MOV64_IMM(4, BPF_ANY),
        CALL(BPF_FUNC_map_update_elem),
        CALL(BPF_FUNC_ktime_get_ns),
        ALU64_REG(BPF_SUB, 0, 0),
        MOV64_REG(1, 6),
        LD_MAP(2, progs),
        MOV64_IMM(3, 0),
        CALL(BPF_FUNC_tail_call),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    /* XDP: bounds-checked read of the packet's EtherType, a per-CPU counter, a bpf-to-bpf call */
    struct bpf_insn xdp[] = {
        MOV64_REG(6, 1),
        LDX(BPF_W, 2, 6, 4),
        LDX(BPF_W, 1, 6, 0),
        MOV64_REG(3, 1),
        ALU64_IMM(BPF_ADD, 3, 14),
        JMP_REG(BPF_JGT, 3, 2, 2),
        LDX(BPF_H, 7, 1, 12),
        JMP_IMM(BPF_JA, 0, 0, 1),
        MOV64_IMM(7, 0),
        ST(BPF_W, 10, -4, 1),
        MOV64_REG(2, 10),
        ALU64_IMM(BPF_ADD, 2, -4),
        LD_MAP(1, pcpu),
        CALL(BPF_FUNC_map_lookup_elem),
        JMP_IMM(BPF_JEQ, 0, 0, 2),
        LDX(BPF_DW, 1, 0, 8),
        STX(BPF_B, 0, 7, 0),
        MOV64_REG(1, 7),
        CALL_LOCAL(2),
        ALU32_REG(BPF_OR, 0, 0),
        EXIT(),
        /* subprogram: XDP_PASS (2) for IPv4 (0x0008 read little-endian), else XDP_PASS too, via a branch */
        MOV64_IMM(0, 2),
        JMP_IMM(BPF_JNE, 1, 8, 1),
        ALU64_IMM(BPF_XOR, 0, 0),
        ALU64_IMM(BPF_OR, 0, 2),
        EXIT(),
    };
    prog("kd_sockfilt", BPF_PROG_TYPE_SOCKET_FILTER, sockfilt, sizeof(sockfilt) / sizeof(sockfilt[0]), "Proprietary");
    prog("kd_kprobe", BPF_PROG_TYPE_KPROBE, kprobe, sizeof(kprobe) / sizeof(kprobe[0]), "GPL");
    prog("kd_xdp", BPF_PROG_TYPE_XDP, xdp, sizeof(xdp) / sizeof(xdp[0]), "Dual MIT/GPL");
    printf("kdive-bpf-loaded: 4 maps, 3 programs\n");
    fflush(stdout);
    return 0;
}
