package org.kdive.arch.x86.dis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kdive.api.dis.Instruction;

/**
 * Forms where capstone's own text differs from gdb's, checked against crash 8.0.2 (gdb 10) on the
 * corpus dump (`dis ADDR 1` at the addresses in the comments, KASLR slide 0x3ba00000). Where gdb 10 and
 * binutils 2.40 differ ("data16 nopw %cs:…" vs "data16 cs nopw …"), crash's form is the one kept.
 */
class CrashFormsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "6666 2e0f1f840000000000 | data16 nopw %cs:0x0(%rax,%rax,1)", // sev_es_terminate+34
        "66 2e0f1f840000000000   | nopw %cs:0x0(%rax,%rax,1)",        // early_set_pages_state+198
        "0f1f440000              | nopl 0x0(%rax,%rax,1)",
        "6690                    | xchg %ax,%ax",                     // sme_clear_pgd+78
        "f348ab                  | rep stos %rax,%es:(%rdi)",         // sme_prepare_pgd+118
        "f3a5                    | rep movsl %ds:(%rsi),%es:(%rdi)",  // pvh_start_xen+35
        "a7                      | cmpsl %es:(%rdi),%ds:(%rsi)",      // pvh_start_xen+81
        "ae                      | scas %es:(%rdi),%al",              // rcu_nocb_gp_kthread+968
        "48d1ea                  | shr %rdx",                         // calibrate_delay+644
        "d1fd                    | sar %ebp",                         // mul_n+172
        "2ee892aed600            | cs call 0xffffffff81e01900",      // cpuhp_invoke_callback+152
        "41ffb690000000          | push 0x90(%r14)",                  // do_madvise+446
        "ff34d5a0780e82          | push -0x7df18760(,%rdx,8)",        // dmar_fault.cold+384
        "9d                      | popf",
        "9c                      | pushf",
        "ec                      | in (%dx),%al",                     // acpi_idle_play_dead+46
        "ef                      | out %eax,(%dx)",                   // ethnl_default_doit+536
        "f30f01d9                | vmgexit",                          // sev_es_terminate+27
        "f00fb115fd849f01        | lock cmpxchg %edx,0x19f84fd(%rip)",
        "f0806500f7              | lock andb $0xf7,0x0(%rbp)",
        "48c7c200000081          | mov $0xffffffff81000000,%rdx",
        "48c745c800000000        | movq $0x0,-0x38(%rbp)",
        "48b8eb83b5804686c861    | movabs $0x61c8864680b583eb,%rax",
        "c3                      | ret",
        "cc                      | int3",
        "0f0b                    | ud2",
        "4898                    | cltq",
    })
    void printsWhatCrashPrints(String hex, String expected) {
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        // the cs call's target is relative: decode it where it lies in the vmlinux file
        List<Instruction> ins = new X86Disassembler().disassemble("x86_64", code, 0xffffffff81096a68L, 1);
        assertEquals(1, ins.size());
        assertEquals(code.length, ins.get(0).length());
        Instruction i = ins.get(0);
        assertEquals(expected, (i.mnemonic() + " " + i.operands()).strip());
    }
}
