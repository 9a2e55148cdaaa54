package org.kdive.fetch.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes tar and ar by hand, for hostile archives the real tools refuse to make. */
public final class Archives {
    private Archives() {
    }

    /** A tar stream builder (ustar headers). */
    public static final class Tar {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Tar file(String name, byte[] data) {
            return entry(name, '0', data, "");
        }

        public Tar symlink(String name, String target) {
            return entry(name, '2', new byte[0], target);
        }

        public Tar entry(String name, char type, byte[] data, String link) {
            byte[] h = new byte[512];
            put(h, 0, name, 100);
            put(h, 100, "0000644", 8);
            put(h, 108, "0000000", 8);
            put(h, 116, "0000000", 8);
            put(h, 124, String.format("%011o", data.length), 12);
            put(h, 136, "00000000000", 12);
            for (int i = 148; i < 156; i++) h[i] = ' ';
            h[156] = (byte) type;
            put(h, 157, link, 100);
            put(h, 257, "ustar", 6);
            h[263] = '0';
            h[264] = '0';
            int sum = 0;
            for (byte x : h) sum += x & 0xff;
            put(h, 148, String.format("%06o", sum), 7);
            h[155] = ' ';
            out.writeBytes(h);
            out.writeBytes(data);
            out.writeBytes(new byte[(512 - data.length % 512) % 512]);
            return this;
        }

        public byte[] bytes() {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.writeBytes(out.toByteArray());
            o.writeBytes(new byte[1024]);
            return o.toByteArray();
        }

        private static void put(byte[] h, int off, String s, int max) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, h, off, Math.min(b.length, max));
        }
    }

    /** An ar archive (a .deb) of the given members: name, data, name, data … */
    public static byte[] ar(Object... members) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes("!<arch>\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < members.length; i += 2) {
            String name = (String) members[i];
            byte[] data = (byte[]) members[i + 1];
            String h = String.format("%-16s%-12s%-6s%-6s%-8s%-10s`\n", name, "0", "0", "0", "100644", data.length);
            o.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
            o.writeBytes(data);
            if (data.length % 2 == 1) o.write('\n');
        }
        return o.toByteArray();
    }
}
