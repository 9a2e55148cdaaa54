package org.kdive.fetch.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** A minimal ELF64 little-endian file whose only content is a GNU build-id note (and some text). */
public final class TinyElf {
    private TinyElf() {
    }

    public static byte[] bytes(String buildIdHex, String text) {
        byte[] id = HexFormat.of().parseHex(buildIdHex);
        byte[] txt = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] shstr = "\0.note.gnu.build-id\0.rodata\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int noteOff = 64;
        int noteLen = 16 + ((id.length + 3) & ~3);
        int txtOff = noteOff + noteLen;
        int strOff = txtOff + txt.length;
        int shOff = (strOff + shstr.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shOff + 4 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.position(16);
        b.putShort((short) 2).putShort((short) 62).putInt(1).putLong(0).putLong(0).putLong(shOff)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 0)
                .putShort((short) 64).putShort((short) 4).putShort((short) 3);
        b.position(noteOff);
        b.putInt(4).putInt(id.length).putInt(3).put("GNU\0".getBytes(StandardCharsets.US_ASCII)).put(id);
        b.position(txtOff);
        b.put(txt);
        b.position(strOff);
        b.put(shstr);
        b.position(shOff + 64); // section 0 is all zero
        section(b, 1, 7, noteOff, noteLen);          // .note.gnu.build-id, SHT_NOTE
        section(b, 20, 1, txtOff, txt.length);       // .rodata, SHT_PROGBITS
        section(b, 28, 3, strOff, shstr.length);     // .shstrtab, SHT_STRTAB
        return b.array();
    }

    private static void section(ByteBuffer b, int name, int type, long off, long size) {
        b.putInt(name).putInt(type).putLong(0).putLong(0).putLong(off).putLong(size)
                .putInt(0).putInt(0).putLong(1).putLong(0);
    }

    public static Path write(Path file, String buildIdHex, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes(buildIdHex, text));
        return file;
    }
}
