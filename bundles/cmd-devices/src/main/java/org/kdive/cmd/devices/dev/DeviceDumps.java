package org.kdive.cmd.devices.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dump.DumpNote;
import org.kdive.cmd.devices.access.Fmt;

/**
 * crash's {@code dev -V} and {@code dev -v}: the device dumps a driver added to the capture
 * (vmcoredd, Linux 4.18+: an ELF note of type NT_VMCOREDD named "LINUX" whose descriptor is a
 * 44-byte device name followed by the device's data).
 */
final class DeviceDumps {
    static final int NT_VMCOREDD = 0x700;
    private static final int NAME_BYTES = 44;

    private DeviceDumps() {
    }

    private static List<DumpNote> notes(CommandContext ctx) {
        List<DumpNote> out = new ArrayList<>();
        for (DumpNote n : ctx.session().dump().notes()) {
            if (n.type() == NT_VMCOREDD && n.desc().length >= NAME_BYTES) out.add(n);
        }
        if (out.isEmpty()) throw new CommandException("no device dumps found in this dumpfile");
        return out;
    }

    private static String name(DumpNote n) {
        int end = 0;
        while (end < NAME_BYTES && n.desc()[end] != 0) end++;
        return new String(n.desc(), 0, end, StandardCharsets.ISO_8859_1);
    }

    /** -V: index, file offset and size of each device's data, and its name. */
    static Result list(CommandContext ctx) {
        List<DumpNote> notes = notes(ctx);
        StringBuilder sb = new StringBuilder();
        sb.append("INDEX  ").append(Fmt.mk("OFFSET", 16, Fmt.LJUST)).append("   ").append(Fmt.mk("SIZE", 16, Fmt.LJUST)).append(" NAME\n");
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < notes.size(); i++) {
            DumpNote n = notes.get(i);
            long offset = n.fileOffset() + NAME_BYTES;
            int size = n.desc().length - NAME_BYTES;
            sb.append(Fmt.mk(String.valueOf(i), 5, Fmt.CENTER)).append("  0x").append(Fmt.mk(Long.toHexString(offset), 16, Fmt.LJUST))
                    .append(' ').append(Fmt.mk(String.valueOf(size), 16, Fmt.LJUST)).append(' ').append(name(n)).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("index", i);
            r.put("offset", offset);
            r.put("size", size);
            r.put("name", name(n));
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("deviceDumps", rows));
    }

    /** -v INDEX [FILE]: the device's data as 64-bit words with their file offsets, or its raw bytes into FILE. */
    static Result extract(CommandContext ctx, String indexWord, String file) {
        int index;
        try {
            index = Integer.parseInt(indexWord);
        } catch (NumberFormatException e) {
            index = 0;   // crash's atoi
        }
        List<DumpNote> notes = notes(ctx);
        if (index < 0 || index >= notes.size()) throw new CommandException("no device dump found at index: " + index);
        DumpNote n = notes.get(index);
        byte[] data = java.util.Arrays.copyOfRange(n.desc(), NAME_BYTES, n.desc().length);
        long offset = n.fileOffset() + NAME_BYTES;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("index", index);
        d.put("name", name(n));
        d.put("offset", offset);
        d.put("size", data.length);
        StringBuilder sb = new StringBuilder("DEVICE: ").append(name(n)).append('\n');
        if (file != null) {
            Path p = ctx.path(file);
            try {
                Files.write(p, data);
            } catch (IOException e) {
                throw new CommandException("cannot open output file: " + file);
            }
            d.put("file", p.toString());
            return Result.of(sb.toString(), d);
        }
        byte[] padded = java.util.Arrays.copyOf(data, (data.length + 7) / 8 * 8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(padded).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int line = 0; line < padded.length; line += 16) {
            sb.append(String.format("%016x:  ", offset + line));
            StringBuilder ascii = new StringBuilder();
            for (int w = line; w < Math.min(line + 16, padded.length); w += 8) {
                sb.append(String.format("%016x ", b.getLong(w)));
                for (int i = w; i < w + 8; i++) ascii.append(padded[i] >= 0x20 && padded[i] < 0x7f ? (char) padded[i] : '.');
            }
            if (line + 16 > padded.length) sb.append(" ".repeat(17));
            sb.append("  ").append(ascii).append('\n');
        }
        return Result.of(sb.toString(), d);
    }
}
