package org.kdive.api.symbols;

/**
 * An ELF or kallsyms symbol at its run-time address (KASLR and module load addresses applied).
 *
 * @param type   nm-style letter: T/t text, D/d data, B/b bss, R/r read-only, A absolute …
 * @param module null for vmlinux, else the module name
 */
public record Symbol(String name, long address, long size, char type, String module) {
    public boolean isText() { return type == 'T' || type == 't' || type == 'W' || type == 'w'; }

    /** "name" or "module:name" for module symbols. */
    public String qualifiedName() { return module == null ? name : module + ":" + name; }
}
