package org.kdive.cmd.dis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.arch.x86.dis.X86Disassembler;
import org.junit.jupiter.api.Test;
import org.kdive.test.Corpus;
import org.kdive.test.HostCrash;
import org.kdive.test.session.CorpusSession;

/**
 * The &lt;name+offset&gt; crash puts on each disassembled instruction (issue 18), against the host's
 * crash run on the corpus dump in the same test: crash names an instruction's address by its own
 * kernel table (sorted by value, then name), the first entry at an entry's value and the last entry
 * at the highest value below any other address. Checked on every text address crash's table holds
 * several names for (__do_sys_fork, __ia32_sys_fork, __x64_sys_fork: the entry is __do_sys_fork,
 * the next instruction __x64_sys_fork+5) and on 30 instructions from every 150th text address
 * with a single name (through alignment padding into the next function). Only the labels are compared: call targets
 * keep gdb's names, and capstone and gdb decode a few padding bytes differently (ud1/ud2), after
 * which the instruction addresses differ; each address both print is compared.
 */
class InstructionLabelsTest {
    private static final Pattern SYM = Pattern.compile("([0-9a-f]{16}) \\((.)\\) (\\S+)");
    private static final Pattern INSN = Pattern.compile("^(0x[0-9a-f]{16}) <([^>]+)>:");

    @Test
    void instructionLabelsAsCrashNamesThem() {
        String list = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), List.of("sym -l")).get(0);
        Map<Long, List<String>> text = new LinkedHashMap<>();
        for (String l : list.substring(0, list.indexOf(" MODULE START: ")).split("\n")) {
            Matcher m = SYM.matcher(l.strip());
            if (!m.matches()) continue;
            long v = Long.parseUnsignedLong(m.group(1), 16);
            if (v >= 0) continue;
            boolean isText = m.group(2).equalsIgnoreCase("t");
            List<String> names = text.computeIfAbsent(v, x -> new ArrayList<>());
            names.add(isText && !m.group(3).startsWith(".") ? m.group(3) : "");
        }
        // the shared entries first, the spread after: crash caches its last result per page bucket, and
        // once it has named an instruction V+5 after the last entry at V, it names V itself so too
        List<String> commands = new ArrayList<>(), spread = new ArrayList<>();
        int i = 0;
        for (Map.Entry<Long, List<String>> e : text.entrySet()) {
            boolean allFunctions = e.getValue().stream().noneMatch(String::isEmpty);
            if (allFunctions && e.getValue().size() > 1) commands.add("dis " + Long.toHexString(e.getKey()) + " 3");
            else if (allFunctions && i++ % 150 == 0) spread.add("dis " + Long.toHexString(e.getKey()) + " 30");
        }
        commands.addAll(spread);
        assertTrue(commands.size() > 300, "commands " + commands.size());
        List<String> crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), commands);
        DisCommand dis = new DisCommand(new X86Disassembler());
        int compared = 0, aliases = 0;
        List<String> differ = new ArrayList<>();
        for (int c = 0; c < commands.size(); c++) {
            Map<String, String> want = labels(crash.get(c));
            Map<String, String> got = labels(dis.execute(CorpusSession.context(),
                    Arrays.asList(commands.get(c).substring(4).split(" "))).text());
            for (Map.Entry<String, String> w : want.entrySet()) {
                String g = got.get(w.getKey());
                if (g == null) continue;
                compared++;
                if (commands.get(c).endsWith(" 3")) aliases++;
                if (!w.getValue().equals(g)) differ.add(w.getKey() + " crash <" + w.getValue() + "> kdive <" + g + ">");
            }
        }
        assertTrue(compared > 8000 && aliases > 100, "labels compared " + compared + ", at shared entries " + aliases);
        assertEquals(List.of(), differ.subList(0, Math.min(20, differ.size())), differ.size() + " of " + compared + " labels differ");
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : text.split("\n")) {
            Matcher m = INSN.matcher(l);
            if (m.find()) out.put(m.group(1), m.group(2));
        }
        return out;
    }
}
