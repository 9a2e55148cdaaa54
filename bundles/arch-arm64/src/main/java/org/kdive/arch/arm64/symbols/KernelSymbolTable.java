package org.kdive.arch.arm64.symbols;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.symbols.Symbol;

/**
 * Which vmlinux symbols crash's arm64 kernel table keeps (its arm64_verify_symbol), and where: every
 * entry but
 * <ul>
 * <li>absolute symbols (a, A) whose value lacks the top bit: link-time constants (image sizes, PE/COFF
 * header fields, {@code __crc_*} of old kernels), not addresses;</li>
 * <li>a, n, N and U entries of value 0, and N entries naming a {@code $d};</li>
 * <li>the ELF mapping symbols {@code $d}, {@code $x}, {@code $c} (alone or with a "." suffix).</li>
 * </ul>
 * Unlike x86_64 nothing below {@code _text} is dropped as such. crash moves every kept absolute symbol
 * with the image (KASLR): the vmlinux reader moves only those inside the image's sections, so an
 * absolute address past the last section ({@code __efistub__end}, which is {@code _end} aligned to
 * 64 KiB past .bss) is still at its link-time value, below the moved image: it gets the kernel offset
 * here. (A KASLR offset smaller than the image would leave such a symbol inside the moved image; not
 * seen: arm64 KASLR offsets are multiples of 2 MiB spread over gigabytes, and 0 without KASLR.)
 */
public final class KernelSymbolTable {
    private KernelSymbolTable() {
    }

    /**
     * @param symbols      the vmlinux's entries in crash's order (value, then name), relocated
     * @param kernelOffset VMCOREINFO's KERNELOFFSET (0 without KASLR)
     */
    public static List<Symbol> kept(List<Symbol> symbols, long kernelOffset) {
        long text = 0;
        for (Symbol s : symbols) {
            if (s.module() == null && (s.name().equals("_text") || s.name().equals("_stext"))) {
                text = s.address();
                break;
            }
        }
        List<Symbol> out = new ArrayList<>(symbols.size());
        for (Symbol s : symbols) {
            if (!keeps(s)) continue;
            char t = s.type();
            boolean absolute = t == 'a' || t == 'A';
            if (absolute && kernelOffset != 0 && text != 0 && Long.compareUnsigned(s.address(), text) < 0
                    && Long.compareUnsigned(s.address(), text - kernelOffset) >= 0) {
                s = new Symbol(s.name(), s.address() + kernelOffset, s.size(), t, s.module());
            }
            out.add(s);
        }
        return out;
    }

    /** crash's arm64_verify_symbol on one entry (its value: absolute ones are not moved when they lack the top bit). */
    static boolean keeps(Symbol s) {
        String n = s.name();
        if (n == null || n.isEmpty()) return false;
        char t = s.type();
        if ((t == 'a' || t == 'A') && s.address() >= 0) return false;
        if (s.address() == 0 && (t == 'a' || t == 'n' || t == 'N' || t == 'U')) return false;
        if (mapping(n, "$d") || mapping(n, "$x") || mapping(n, "$c")) return false;
        return !(t == 'N' && n.contains("$d"));
    }

    private static boolean mapping(String n, String m) {
        return n.equals(m) || n.startsWith(m + ".");
    }
}
