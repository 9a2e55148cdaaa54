package org.kdive.arch.x86.dis;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads one section of an ELF64 little-endian file (test helper: the vmlinux's .text). */
record ElfSection(long address, byte[] data) {
    static ElfSection read(Path file, String name) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer eh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(eh, 0);
            long shoff = eh.getLong(0x28);
            int shentsize = eh.getShort(0x3a) & 0xffff;
            int shnum = eh.getShort(0x3c) & 0xffff;
            int shstrndx = eh.getShort(0x3e) & 0xffff;
            ByteBuffer sh = ByteBuffer.allocate(shentsize * shnum).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(sh, shoff);
            long strOff = sh.getLong(shstrndx * shentsize + 0x18);
            long strSize = sh.getLong(shstrndx * shentsize + 0x20);
            ByteBuffer strs = ByteBuffer.allocate((int) strSize);
            ch.read(strs, strOff);
            byte[] names = strs.array();
            for (int i = 0; i < shnum; i++) {
                int b = i * shentsize;
                int nameOff = sh.getInt(b);
                int end = nameOff;
                while (names[end] != 0) end++;
                if (new String(names, nameOff, end - nameOff, StandardCharsets.US_ASCII).equals(name)) {
                    long addr = sh.getLong(b + 0x10);
                    long off = sh.getLong(b + 0x18);
                    long size = sh.getLong(b + 0x20);
                    ByteBuffer data = ByteBuffer.allocate((int) size);
                    while (data.hasRemaining()) {
                        if (ch.read(data, off + data.position()) < 0) throw new IOException("short section " + name);
                    }
                    return new ElfSection(addr, data.array());
                }
            }
            throw new IOException("no section " + name + " in " + file);
        }
    }
}
