package org.kdive.cmd.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.MadeSession;

/**
 * bpf with loaded programs and maps (dumps/bpfload.c: four maps, a socket filter, a kprobe program
 * with a tail call and an XDP program with a bpf-to-bpf call, all JIT-ed) on each kernel
 * generation's {@code bpf} dump, compared line for line with crash 8.0.6 run on the same dump
 * (dumps/crash-commands.txt, names 90-91 and 97-107): the listings, -p/-P/-m/-M details, -t/-T
 * (translated instructions and their bytes), -j (the JIT-ed code through the x86_64 disassembler)
 * and -s (the structures through {@code struct}).
 *
 * <p>Where crash 8.0.6 is wrong kdive prints the truth, and this test checks it instead:
 * <ul>
 * <li>LOAD_TIME: crash adds the program's load time since boot to the boot time of the machine
 * crash runs on (its own CLOCK_REALTIME - CLOCK_BOOTTIME), so the date is that of another computer.
 * kdive uses the dumped kernel's offsets (tk_core offs_real - offs_boot); checked: the load date is
 * at most a minute before crash's own {@code sys} DATE of the crash, and not after it.</li>
 * <li>a JMP32 branch (class 6, Linux 5.1): crash's class table calls it "BUG"; kdive prints
 * "if wD OP 0xIMM goto pc+OFF" as the kernel does, checked against the instruction's bytes.</li>
 * <li>the kernel's internal tail call (code 0xf5, BPF_JMP|BPF_TAIL_CALL, made by the verifier from
 * the bpf_tail_call helper call): crash reads it as a conditional jump with a "(null)" operator;
 * kdive prints "tail_call".</li>
 * <li>-j of the XDP program on Linux 5.10: it has a subprogram, and before 5.13 the kernel left
 * bpf_prog.jited_len 0 for such a program (the JIT ran per function, aux->func[]), so crash
 * says "(program not jited)". kdive lists the main function's image (aux->func[0], which
 * bpf_func points at); checked: it starts at bpf_func, its instructions tile aux->func[0]'s
 * jited_len bytes exactly, and it ends with a ret.</li>
 * </ul>
 */
class MadeDumpsBpfTest {
    static final List<String> NAMES = List.of("90-bpf", "91-bpf-P", "97-bpf-M", "98-bpf-P-t", "99-bpf-P-T", "100-bpf-P-j",
            "101-bpf-p-t", "102-bpf-p-T", "103-bpf-p-j", "104-bpf-p-s", "105-bpf-m", "106-bpf-m-s-x", "107-bpf-s");

    @TestFactory
    Stream<DynamicContainer> everyGenerationMatchesCrash() {
        return MadeDumps.ofKind("bpf").stream()
                .map(e -> DynamicContainer.dynamicContainer(e.toString(), MadeSession.refTests(e, NAMES, MadeDumpsBpfTest::compare)));
    }

    /** Every bpf dump shows bpfload.c's objects, as its console says the kernel numbered them. */
    @TestFactory
    Stream<DynamicContainer> loadedObjectsAsTheConsoleSays() {
        return MadeDumps.ofKind("bpf").stream().map(e -> DynamicContainer.dynamicContainer(e.toString(), List.of(
                org.junit.jupiter.api.DynamicTest.dynamicTest("json", () -> loadedObjects(e.require())))));
    }

    private static final Pattern CONSOLE_OBJ = Pattern.compile("(?m)^kdive-bpf: (prog|map) (\\w+) id (\\d+) type (\\d+)");

    @SuppressWarnings("unchecked")
    private static void loadedObjects(MadeDump d) {
        CommandContext ctx = context(d);
        Result r = new org.kdive.cmd.devices.bpf.BpfCommand(Devices.STRUCT, Devices.DIS).execute(ctx, List.of("-P", "-t", "-j"));
        Map<String, Object> data = (Map<String, Object>) r.data();
        List<Map<String, Object>> progs = (List<Map<String, Object>>) data.get("programs");
        Result rm = new org.kdive.cmd.devices.bpf.BpfCommand(Devices.STRUCT, Devices.DIS).execute(ctx, List.of("-M"));
        List<Map<String, Object>> maps = (List<Map<String, Object>>) ((Map<String, Object>) rm.data()).get("maps");
        Matcher m = CONSOLE_OBJ.matcher(d.consoleText().replace("\r", ""));
        int nProgs = 0;
        int nMaps = 0;
        while (m.find()) {
            long id = Long.parseLong(m.group(3));
            List<Map<String, Object>> list = m.group(1).equals("prog") ? progs : maps;
            Map<String, Object> o = list.stream().filter(x -> ((Number) x.get("id")).longValue() == id).findFirst().orElseThrow(
                    () -> new AssertionError(d + ": no " + m.group(1) + " with id " + id + " (" + m.group(2) + ")"));
            assertEquals(m.group(2), o.get("name"), d + ": " + m.group(1) + " " + id);
            if (m.group(1).equals("prog")) {
                nProgs++;
                assertFalse(((List<?>) o.get("instructions")).isEmpty(), m.group(2) + ": instructions");
                assertTrue(o.get("jited") instanceof List<?> l && !l.isEmpty(), m.group(2) + ": JIT-ed code");
                assertTrue(o.get("gplCompatible") instanceof Boolean, m.group(2) + ": gplCompatible");
            } else {
                nMaps++;
                assertTrue(o.get("keySize") instanceof Number, m.group(2) + ": keySize");
            }
        }
        assertEquals(3, nProgs, d + ": programs on the console");
        assertEquals(4, nMaps, d + ": maps on the console");
        assertEquals(3, progs.size(), d + ": programs");
        assertEquals(4, maps.size(), d + ": maps");
    }

    @Test
    void usageDocumentsEveryOption() {
        String usage = Devices.commands().get("bpf").usage();
        for (String o : List.of("-p ID", "-P", "-t", "-T", "-j", "-m ID", "-M", "-s", "-x/-d")) {
            assertTrue(usage.contains("\n    " + o) || usage.contains(" " + o + " "), "help bpf documents " + o);
        }
        assertFalse(usage.contains("not available"), "help bpf still says a listing is not available");
    }

    static CommandContext context(MadeDump d) {
        return MadeSession.context(d, "module symbols", c -> Devices.moduleSymbols(c.session()));
    }

    static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        String command = MadeSession.crashCommand(d, name);
        CommandContext ctx = context(d);
        String kdive = Devices.run(ctx, command);
        compare(d, ctx, command, d.crashRef(name), kdive);
    }

    private static final Pattern LOAD_TIME = Pattern.compile("(?m)^     LOAD_TIME: (.*)$");
    private static final Pattern SYS_DATE = Pattern.compile("(?m)^\\s+DATE: (.*)$");
    private static final DateTimeFormatter LOAD_FORMAT = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ROOT);
    private static final DateTimeFormatter SYS_FORMAT = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss zzz yyyy", Locale.ROOT);
    private static final Pattern INSN = Pattern.compile("^\\s*(\\d+): \\(([0-9a-f]{2})\\) (.*)$");

    /** kdive's bpf output against crash's, with crash's known errors checked and set aside (see the class comment). */
    static void compare(MadeDump d, CommandContext ctx, String command, String crash, String kdive) {
        kdive = checkLoadTimes(d, command, kdive);
        crash = LOAD_TIME.matcher(crash).replaceAll("     LOAD_TIME: (checked)");
        kdive = LOAD_TIME.matcher(kdive).replaceAll("     LOAD_TIME: (checked)");
        List<String> c = new ArrayList<>(List.of(CrashText.layout(crash).split("\n", -1)));
        List<String> k = new ArrayList<>(List.of(CrashText.layout(kdive).split("\n", -1)));
        kdive = String.join("\n", programsWhereCrashIsWrong(d, ctx, command, c, k));
        assertEquals(String.join("\n", c), kdive, d + " (" + d.release() + "): " + command);
    }

    /** The LOAD_TIME lines (kdive's), after checking each against crash's sys DATE of the same dump. */
    private static String checkLoadTimes(MadeDump d, String command, String kdive) {
        Matcher m = LOAD_TIME.matcher(kdive);
        Matcher sys = SYS_DATE.matcher(d.crashRef("04-sys"));
        assertTrue(sys.find(), d + ": crash's sys names no DATE");
        long crashed = ZonedDateTime.parse(sys.group(1).trim(), SYS_FORMAT).toEpochSecond();
        while (m.find()) {
            long loaded = java.time.LocalDateTime.parse(m.group(1), LOAD_FORMAT).atZone(ZoneId.systemDefault()).toEpochSecond();
            assertTrue(loaded <= crashed && crashed - loaded < 60,
                    command + ": LOAD_TIME " + m.group(1) + " should be within a minute before the crash, " + sys.group(1));
        }
        return kdive;
    }

    /**
     * The JMP32, tail call and not-jited cases: each kdive line (or block) where crash is wrong is
     * checked against the dump and replaced by crash's, so the rest compares exactly.
     */
    private static List<String> programsWhereCrashIsWrong(MadeDump d, CommandContext ctx, String command, List<String> c, List<String> k) {
        Kern kern = Kern.of(ctx.session());
        List<String> out = new ArrayList<>();
        int ki = 0;
        long progAddr = 0;
        for (int ci = 0; ci < c.size(); ci++) {
            String cl = c.get(ci);
            String kl = ki < k.size() ? k.get(ki) : "";
            Matcher row = Pattern.compile("^ (\\d+)\\s+([0-9a-f]{16}) ").matcher(cl);
            if (row.find() && !command.contains(" -m") && !command.contains("-M") && cl.length() > 60) progAddr = Long.parseUnsignedLong(row.group(2), 16);
            Matcher ci1 = INSN.matcher(cl);
            Matcher ki1 = INSN.matcher(kl);
            if (ci1.matches() && ki1.matches() && ci1.group(1).equals(ki1.group(1)) && !cl.equals(kl)) {
                int code = Integer.parseInt(ci1.group(2), 16);
                int index = Integer.parseInt(ci1.group(1));
                if ((code & 7) == 6 && ci1.group(3).equals("BUG")) {
                    assertEquals(jmp32(kern, progAddr, index), ki1.group(3), command + ": JMP32 instruction " + index);
                    out.add(cl);
                    ki++;
                    continue;
                }
                if (code == 0xf5 && ci1.group(3).startsWith("if r0 (null)")) {
                    assertEquals("tail_call", ki1.group(3), command + ": tail call instruction " + index);
                    out.add(cl);
                    ki++;
                    continue;
                }
            }
            if (cl.equals("(program not jited)") && !kl.equals(cl)) {
                int n = checkNotJited(kern, progAddr, k, ki, command);
                out.add(cl);
                ki += n;
                continue;
            }
            out.add(kl);
            ki++;
        }
        while (ki < k.size()) out.add(k.get(ki++));
        return out;
    }

    /** The kernel's JMP32 form of the instruction in the dump: "if wD OP 0xIMM goto pc+OFF" (or OP wS). */
    private static String jmp32(Kern k, long prog, int index) {
        long at = prog + k.off("bpf_prog", "insnsi") + 8L * index;
        int code = k.u8(at);
        int regs = k.u8(at + 1);
        int off = (short) k.u16(at + 2);
        int imm = k.s32(at + 4);
        String[] ops = {"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<="};
        String op = ops[code >> 4];
        String src = (code & 8) != 0 ? "w" + (regs >> 4) : String.format("0x%x", imm);
        return String.format("if w%d %s %s goto pc%+d", regs & 0xf, op, src, off);
    }

    /** kdive's listing of a program crash calls not jited: its main function's whole image. Returns its line count. */
    private static int checkNotJited(Kern k, long prog, List<String> kdive, int from, String command) {
        assertEquals(0, k.u32(prog + k.off("bpf_prog", "jited_len")), command + ": crash says not jited only when jited_len is 0");
        long func = k.ptr(prog + k.off("bpf_prog", "bpf_func"));
        long aux = k.ptr(prog + k.off("bpf_prog", "aux"));
        long main = k.ptr(k.ptr(aux + k.off("bpf_prog_aux", "func")));
        assertEquals(func, k.ptr(main + k.off("bpf_prog", "bpf_func")), command + ": aux->func[0] is the main function");
        long end = func + k.u32(main + k.off("bpf_prog", "jited_len"));
        Pattern line = Pattern.compile("^   0x([0-9a-f]+):\\t(\\S+).*$");
        int n = 0;
        long expect = func;
        String last = "";
        while (from + n < kdive.size()) {
            Matcher m = line.matcher(kdive.get(from + n));
            if (!m.matches()) break;
            assertEquals(expect, Long.parseUnsignedLong(m.group(1), 16), command + ": instruction " + n + " starts where the last ended");
            long len = insnLength(k, expect);
            expect += len;
            last = m.group(2);
            n++;
        }
        assertTrue(n > 0, command + ": kdive lists no code");
        assertEquals(end, expect, command + ": the listing covers aux->func[0]'s jited_len bytes");
        assertEquals("ret", last, command + ": the main function ends with ret");
        return n;
    }

    private static long insnLength(Kern k, long at) {
        byte[] code = k.memory().read(at, 16);
        return Devices.DIS.disassemble("x86_64", code, at, 1).get(0).length();
    }
}
