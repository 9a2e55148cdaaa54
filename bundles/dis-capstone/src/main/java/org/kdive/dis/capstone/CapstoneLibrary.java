package org.kdive.dis.capstone;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/** The few C functions of libcapstone kdive calls (csh and size_t are 64-bit on the supported hosts). */
interface CapstoneLibrary extends Library {
    int CS_ARCH_ARM64 = 1;
    int CS_ARCH_X86 = 3;
    int CS_MODE_LITTLE_ENDIAN = 0;
    int CS_MODE_64 = 1 << 3;
    int CS_OPT_SYNTAX = 1;
    int CS_OPT_SYNTAX_ATT = 2;
    int CS_OPT_DETAIL = 2;
    int CS_OPT_ON = 3;

    int cs_version(IntByReference major, IntByReference minor);

    int cs_open(int arch, int mode, LongByReference handle);

    int cs_option(long handle, int type, long value);

    long cs_disasm(long handle, byte[] code, long size, long address, long count, PointerByReference insn);

    void cs_free(Pointer insn, long count);

    int cs_close(LongByReference handle);

    String cs_strerror(int code);

    String cs_insn_name(long handle, int id);

    String cs_reg_name(long handle, int reg);
}
