package org.kdive.arch.x86.dis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.dis.Instruction;
import org.kdive.test.Corpus;

/** Disassembles stretches of the corpus vmlinux's .text and compares every instruction with objdump. */
class ObjdumpFidelityTest {
    @Test
    void matchesObjdumpOnVmlinuxText() throws Exception {
        ElfSection text = ElfSection.read(Corpus.vmlinux(), ".text");
        X86Disassembler dis = new X86Disassembler();
        long chunk = Long.getLong("kdive.dis.chunk", 0x4000);
        int chunks = Integer.getInteger("kdive.dis.chunks", 24);
        List<String> diffs = new ArrayList<>();
        int compared = 0;
        long step = (text.data().length - chunk) / chunks;
        for (int c = 0; c < chunks; c++) {
            long start = text.address() + c * step;
            Map<Long, String> ref = Objdump.listing(Corpus.vmlinux(), start, start + chunk);
            int from = (int) (start - text.address());
            byte[] code = Arrays.copyOfRange(text.data(), from, (int) (from + chunk));
            long addr = start;
            int off = 0;
            // Linear sweep like objdump; resynchronise after undecodable bytes.
            while (off < code.length) {
                List<Instruction> got = dis.disassemble("x86_64", Arrays.copyOfRange(code, off, code.length), addr, 4096);
                if (got.isEmpty()) {
                    off++;
                    addr++;
                    continue;
                }
                for (Instruction i : got) {
                    String expected = ref.get(i.address());
                    // Unused REX prefixes ("rex.WRX …") occur only where the sweep runs through data; capstone
                    // does not report which REX bits an instruction used, so they are not reproduced.
                    if (expected != null && !expected.startsWith("(bad)") && !expected.startsWith("rex.")) {
                        String actual = Objdump.collapse(i.mnemonic() + " " + i.operands());
                        compared++;
                        if (!actual.equals(expected)) {
                            diffs.add(String.format("%x: %-40s objdump: %s  [%s]", i.address(), actual, expected, hex(i.bytes())));
                        }
                    }
                    off += i.length();
                    addr += i.length();
                }
            }
        }
        Path report = Path.of("target/objdump-diffs.txt");
        Files.createDirectories(report.getParent());
        Files.write(report, diffs);
        System.out.println("compared " + compared + " instructions, " + diffs.size() + " differ (" + report + ")");
        assertTrue(compared > 20000, "compared only " + compared);
        assertTrue(diffs.isEmpty(), diffs.size() + " of " + compared + " differ, first: " + diffs.subList(0, Math.min(20, diffs.size())));
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x ", x & 0xff));
        return sb.toString().strip();
    }
}
