package org.kdive.arch.x86.dis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * objdump's listing of an address range, in the form gdb prints it: gdb and objdump share
 * binutils' x86 printer; they differ only in how they annotate addresses (objdump: "ffff… <sym+0x5>"
 * without 0x for branch targets, "# addr <sym>" comments), which is reduced here to gdb's bare form.
 */
final class Objdump {
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t(.*)$");
    private static final Pattern CS_NOP = Pattern.compile("^((?:data16 )*)(cs|ds|es|ss) (\\w+)\\s+(.*\\(.*)$");
    private static final Pattern BRANCH = Pattern.compile("^(\\S+(?: \\S+)?\\s+)([0-9a-f]+) <[^>]*>$");

    private Objdump() {
    }

    /** address → "mnemonic operands" with whitespace runs collapsed, without annotations. */
    static Map<Long, String> listing(Path elf, long start, long stop) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("objdump", "-d", "--no-show-raw-insn", "-w",
                "--start-address=0x" + Long.toHexString(start), "--stop-address=0x" + Long.toHexString(stop), elf.toString())
                .redirectErrorStream(true).start();
        Map<Long, String> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) continue;
                String text = m.group(2);
                int hash = text.indexOf("        # ");
                if (hash >= 0) text = text.substring(0, hash);
                // binutils 2.37+ names an ignored %cs override as a prefix; crash's gdb 10 prints it on the
                // memory operand ("data16 nopw %cs:0x0(%rax,%rax,1)", checked with crash 8.0.2 on the corpus).
                Matcher cs = CS_NOP.matcher(text);
                if (cs.matches()) text = cs.group(1) + cs.group(3) + " %" + cs.group(2) + ":" + cs.group(4);
                Matcher b = BRANCH.matcher(text);
                if (b.matches()) text = b.group(1) + "0x" + b.group(2);
                out.put(Long.parseUnsignedLong(m.group(1), 16), collapse(text));
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("objdump did not finish");
        }
        return out;
    }

    static String collapse(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }
}
