package org.kdive.api.symbols;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Symbols, types and lines of one object (vmlinux or a module), already relocated to the
 * crashed kernel's addresses. Implementations index lazily: opening must be cheap.
 */
public interface DebugInfo extends Closeable {
    Path file();

    /** null for vmlinux. */
    String module();

    Optional<String> buildId();

    SymbolTable symbols();

    /**
     * A type by its C spelling: "struct task_struct", "union foo", "enum bar", a typedef or
     * base type name ("u64", "unsigned int"), or a bare struct/union tag as crash accepts.
     */
    Optional<Type> type(String cName);

    Optional<Variable> variable(String name);

    /** The enumeration type that declares the constant {@code name} (an enumerator), if any. */
    default Optional<Type> enumeratorType(String name) { return Optional.empty(); }

    /** The function type of a function (for argument decoding), if debuginfo has it. */
    Optional<Type> function(String name);

    /** The source line of the code at {@code address}. */
    Optional<SourceLine> line(long address);

    /** Line-table rows within [start, end), sorted by address. */
    List<SourceLine> lines(long start, long end);

    /** Raw contents of an ELF section (e.g. ".orc_unwind"), decompressed, not relocated. */
    Optional<ByteBuffer> section(String name);

    /** Run-time address of an ELF section. */
    OptionalLong sectionAddress(String name);

    /**
     * One line naming where this debuginfo comes from, for the user ("the dump's BTF: 95068 types,
     * 4.1 MB at ffffffffbde35fc0"); by default the file.
     */
    default String origin() { return String.valueOf(file()); }

    /**
     * What the user should know about what this debuginfo lacks, one line each (e.g. "module vqbug
     * has no BTF: its types need its debuginfo"); may read what it needs to tell.
     */
    default List<String> notes() { return List.of(); }

    /**
     * Whether this debuginfo has source lines and the types of ordinary global variables (DWARF
     * does; the kernel's in-memory BTF has neither), so the session knows when a full vmlinux
     * would add something.
     */
    default boolean isComplete() { return true; }

    @Override
    void close();
}
