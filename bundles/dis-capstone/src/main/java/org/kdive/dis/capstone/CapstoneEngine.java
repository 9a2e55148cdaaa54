package org.kdive.dis.capstone;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One capstone 4 handle for one architecture and mode (x86-64 in AT&T syntax, or AArch64), through
 * JNA. A support library: architecture bundles embed it and render its {@link Decoded} instructions
 * in the syntax crash prints for their machine. Capstone handles are not thread-safe, so decoding is
 * serialised; it is fast enough for interactive use.
 */
public final class CapstoneEngine implements AutoCloseable {
    /** The capstone architectures and modes kdive opens. */
    public enum Mode {
        /** x86-64, AT&T syntax, with cs_x86 details. */
        X86_64(CapstoneLibrary.CS_ARCH_X86, CapstoneLibrary.CS_MODE_64, CapstoneLibrary.CS_OPT_SYNTAX_ATT, "x86-64"),
        /** AArch64, little-endian, capstone's own syntax (no details decoded yet). */
        ARM64(CapstoneLibrary.CS_ARCH_ARM64, CapstoneLibrary.CS_MODE_LITTLE_ENDIAN, 0, "AArch64");

        final int arch;
        final int mode;
        /** CS_OPT_SYNTAX value, 0 for the default syntax. */
        final int syntax;
        final String label;

        Mode(int arch, int mode, int syntax, String label) {
            this.arch = arch;
            this.mode = mode;
            this.syntax = syntax;
            this.label = label;
        }
    }

    /** Layout of cs_insn in capstone 4.x (x86-64 host ABI). */
    private static final int INSN_SIZE = 240;
    private static final int OFF_ADDRESS = 8;
    private static final int OFF_SIZE = 16;
    private static final int OFF_BYTES = 18;
    private static final int OFF_MNEMONIC = 34;
    private static final int MNEMONIC_LEN = 32;
    private static final int OFF_OPERANDS = 66;
    private static final int OPERANDS_LEN = 160;

    private static final int OFF_DETAIL = 232;
    /** Layout of cs_detail / cs_x86 / cs_x86_op in capstone 4.x (checked with offsetof on 4.0.2). */
    private static final int DETAIL_X86 = 80;
    private static final int X86_PREFIX = 0;
    private static final int X86_OPCODE = 4;
    private static final int X86_REX = 8;
    private static final int X86_MODRM = 10;
    private static final int X86_SIB = 11;
    private static final int X86_OP_COUNT = 64;
    private static final int X86_OPERANDS = 72;
    private static final int X86_ENCODING = 456;
    private static final int OP_SIZE = 48;
    private static final int OP_TYPE = 0;
    private static final int OP_VALUE = 8;
    private static final int OP_BYTES = 32;
    private static final int X86_OP_REG = 1;
    private static final int X86_OP_IMM = 2;
    private static final int X86_OP_MEM = 3;

    private final java.util.Map<Integer, String> insnNames = new java.util.HashMap<>();
    private final java.util.Map<Integer, String> regNames = new java.util.HashMap<>();

    private final CapstoneLibrary lib;
    private final Mode mode;
    private final long handle;
    private final String version;
    private final String path;

    private CapstoneEngine(CapstoneLibrary lib, Mode mode, long handle, String version, String path) {
        this.lib = lib;
        this.mode = mode;
        this.handle = handle;
        this.version = version;
        this.path = path;
    }

    public String version() { return version; }

    public String path() { return path; }

    public Mode mode() { return mode; }

    /**
     * Loads libcapstone (the Debian soname first: libcapstone4 installs no unversioned .so) and opens a
     * handle in {@code mode}.
     *
     * @throws EngineUnavailableException saying what was tried and how to install the engine
     */
    public static CapstoneEngine open(Mode mode) {
        return open(mode, candidates());
    }

    /** Opens the first usable library among {@code candidates} (paths or JNA library names). */
    public static CapstoneEngine open(Mode mode, Iterable<String> candidates) {
        List<String> tried = new ArrayList<>();
        Throwable last = null;
        for (String candidate : candidates) {
            CapstoneLibrary lib;
            try {
                lib = Native.load(candidate, CapstoneLibrary.class);
            } catch (UnsatisfiedLinkError e) {
                tried.add(candidate);
                last = e;
                continue;
            }
            IntByReference major = new IntByReference();
            IntByReference minor = new IntByReference();
            lib.cs_version(major, minor);
            String version = major.getValue() + "." + minor.getValue();
            if (major.getValue() != 4) {
                tried.add(candidate + " (version " + version + ", need 4.x)");
                continue;
            }
            LongByReference h = new LongByReference();
            int err = lib.cs_open(mode.arch, mode.mode, h);
            if (err != 0) {
                throw new EngineUnavailableException("capstone engine at " + candidate + " cannot open " + mode.label + ": " + lib.cs_strerror(err));
            }
            if (mode.syntax != 0) {
                err = lib.cs_option(h.getValue(), CapstoneLibrary.CS_OPT_SYNTAX, mode.syntax);
                if (err != 0) {
                    lib.cs_close(h);
                    throw new EngineUnavailableException("capstone engine at " + candidate + " has no AT&T syntax: " + lib.cs_strerror(err));
                }
            }
            lib.cs_option(h.getValue(), CapstoneLibrary.CS_OPT_DETAIL, CapstoneLibrary.CS_OPT_ON);
            return new CapstoneEngine(lib, mode, h.getValue(), version, candidate);
        }
        String why = last == null ? "" : " (" + last.getMessage().lines().findFirst().orElse("") + ")";
        throw new EngineUnavailableException("capstone engine not found: install libcapstone4 (apt-get install libcapstone4)"
                + " or set -Dkdive.capstone.library=/path/to/libcapstone.so.4; tried " + String.join(", ", tried) + why);
    }

    private static Set<String> candidates() {
        Set<String> c = new LinkedHashSet<>();
        String prop = System.getProperty("kdive.capstone.library");
        if (prop != null && !prop.isBlank()) c.add(prop);
        String env = System.getenv("KDIVE_CAPSTONE_LIBRARY");
        if (env != null && !env.isBlank()) c.add(env);
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/usr/local/lib64")) {
            Path p = Path.of(dir, "libcapstone.so.4");
            if (Files.exists(p)) c.add(p.toString());
        }
        c.add("capstone");
        return c;
    }

    /** Decodes up to {@code max} instructions; stops at the first undecodable byte. */
    public synchronized List<Decoded> decode(byte[] code, long address, int max) {
        List<Decoded> out = new ArrayList<>();
        if (code.length == 0 || max <= 0) return out;
        PointerByReference ref = new PointerByReference();
        long n = lib.cs_disasm(handle, code, code.length, address, max, ref);
        if (n <= 0) return out;
        Pointer insns = ref.getValue();
        try {
            for (long i = 0; i < n; i++) {
                long base = i * INSN_SIZE;
                long addr = insns.getLong(base + OFF_ADDRESS);
                int size = insns.getShort(base + OFF_SIZE) & 0xffff;
                byte[] bytes = insns.getByteArray(base + OFF_BYTES, Math.min(size, 16));
                String mnemonic = cString(insns, base + OFF_MNEMONIC, MNEMONIC_LEN);
                String ops = cString(insns, base + OFF_OPERANDS, OPERANDS_LEN);
                int id = insns.getInt(base);
                String name = insnNames.computeIfAbsent(id, k -> lib.cs_insn_name(handle, k));
                if (mode == Mode.X86_64) {
                    Pointer d = insns.getPointer(base + OFF_DETAIL);
                    out.add(detail(addr, bytes, mnemonic, ops, name, d.share(DETAIL_X86)));
                } else {
                    out.add(new Decoded(addr, bytes, mnemonic, ops, name, new int[4], new int[4], 0, 0, 0, 0, List.of()));
                }
            }
        } finally {
            lib.cs_free(insns, n);
        }
        return out;
    }

    private Decoded detail(long addr, byte[] bytes, String mnemonic, String ops, String name, Pointer x) {
        int[] prefix = new int[4];
        int[] opcode = new int[4];
        for (int i = 0; i < 4; i++) {
            prefix[i] = x.getByte(X86_PREFIX + i) & 0xff;
            opcode[i] = x.getByte(X86_OPCODE + i) & 0xff;
        }
        int count = Math.min(8, x.getByte(X86_OP_COUNT) & 0xff);
        List<Decoded.Operand> operands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long o = X86_OPERANDS + (long) i * OP_SIZE;
            int type = x.getInt(o + OP_TYPE);
            int size = x.getByte(o + OP_BYTES) & 0xff;
            long v = o + OP_VALUE;
            switch (type) {
                case X86_OP_REG -> operands.add(new Decoded.Operand(Decoded.Kind.REG, size, reg(x.getInt(v)), 0, null, null, null, 0, 0));
                case X86_OP_IMM -> operands.add(new Decoded.Operand(Decoded.Kind.IMM, size, null, x.getLong(v), null, null, null, 0, 0));
                case X86_OP_MEM -> operands.add(new Decoded.Operand(Decoded.Kind.MEM, size, null, 0, reg(x.getInt(v)),
                        reg(x.getInt(v + 4)), reg(x.getInt(v + 8)), x.getInt(v + 12), x.getLong(v + 16)));
                default -> { }
            }
        }
        return new Decoded(addr, bytes, mnemonic, ops, name,
                prefix, opcode, x.getByte(X86_REX) & 0xff, x.getByte(X86_MODRM) & 0xff, x.getByte(X86_SIB) & 0xff,
                x.getByte(X86_ENCODING) & 0xff, List.copyOf(operands));
    }

    private String reg(int r) {
        return r == 0 ? null : regNames.computeIfAbsent(r, k -> lib.cs_reg_name(handle, k));
    }

    private static String cString(Pointer p, long off, int max) {
        byte[] b = p.getByteArray(off, max);
        int len = 0;
        while (len < max && b[len] != 0) len++;
        return new String(b, 0, len, StandardCharsets.US_ASCII);
    }

    @Override
    public synchronized void close() {
        lib.cs_close(new LongByReference(handle));
    }
}
