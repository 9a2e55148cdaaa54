package org.kdive.api.symbols;

/**
 * An ELF or kallsyms symbol at its run-time address (KASLR and module load addresses applied).
 *
 * @param type   nm-style letter: T/t text, D/d data, B/b bss, R/r read-only, A absolute …
 * @param module null for vmlinux, else the module name
 */
public record Symbol(String name, long address, long size, char type, String module) {
    public boolean isText() { return type == 'T' || type == 't' || type == 'W' || type == 'w'; }

    /**
     * A symbol-table name as crash keeps it: gcc's clone endings ".isra.N", ".part.N" and ".llvm.N" cut
     * off ("__flush_work.isra.0" is "__flush_work" in bt, sym, rd -s …); ".cold" and ".constprop.N"
     * stay. Every symbol table (vmlinux, modules, kallsyms) names its symbols through this, so every
     * command names an address the same way.
     */
    public static String crashName(String elfName) {
        if (elfName == null || elfName.indexOf('.') < 0) return elfName;
        for (String end : CLONE_ENDINGS) { // in crash's order: the first ending found is cut, with all after it
            int i = elfName.indexOf(end);
            if (i > 0) return elfName.substring(0, i);
        }
        return elfName;
    }

    private static final String[] CLONE_ENDINGS = {".isra.", ".part.", ".llvm."};

    /** "name" or "module:name" for module symbols. */
    public String qualifiedName() { return module == null ? name : module + ":" + name; }
}
