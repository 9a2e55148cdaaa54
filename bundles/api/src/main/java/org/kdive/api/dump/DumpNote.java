package org.kdive.api.dump;

/**
 * An ELF-style note of the dump (NT_PRSTATUS per CPU, VMCOREINFO, QEMU's notes …), wherever the
 * format keeps it. {@code desc} is the raw descriptor, little-endian as written.
 */
public record DumpNote(String name, int type, byte[] desc, long fileOffset) {
    public static final int NT_PRSTATUS = 1;
    public static final int NT_PRPSINFO = 3;
    public static final int NT_TASKSTRUCT = 4;
    public static final int NT_VMCOREINFO = 0; // with name "VMCOREINFO"
}
