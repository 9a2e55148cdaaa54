package org.kdive.format.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.api.dump.VmcoreInfo;

/** The parts of an opened dump, plus the sources to close with it. */
public final class BasicDump implements Dump {
    private final List<Path> files;
    private final DumpInfo info;
    private final PhysicalMemory memory;
    private final List<DumpNote> notes;
    private final Optional<VmcoreInfo> vmcoreinfo;
    private final List<String> warnings;
    private final List<? extends AutoCloseable> resources;

    public BasicDump(List<Path> files, DumpInfo info, PhysicalMemory memory, List<DumpNote> notes,
            Optional<VmcoreInfo> vmcoreinfo, List<String> warnings, List<? extends AutoCloseable> resources) {
        this.files = List.copyOf(files);
        this.info = info;
        this.memory = memory;
        this.notes = List.copyOf(notes);
        this.vmcoreinfo = vmcoreinfo;
        this.warnings = List.copyOf(warnings);
        this.resources = new ArrayList<>(resources);
    }

    @Override public List<Path> files() { return files; }

    @Override public DumpInfo info() { return info; }

    @Override public PhysicalMemory memory() { return memory; }

    @Override public List<DumpNote> notes() { return notes; }

    @Override public Optional<VmcoreInfo> vmcoreinfo() { return vmcoreinfo; }

    @Override public List<String> warnings() { return warnings; }

    @Override
    public void close() {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a read-only file cannot lose data
            }
        }
    }

    /** Closes sources quietly when opening fails half-way. */
    public static void closeQuietly(List<? extends AutoCloseable> resources) {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
