package org.kdive.fetch.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.fetch.FetchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the entries of an untrusted package one by one and keeps only the kernel's debug files
 * (vmlinux and module debuginfo of one release) under a staging folder, at names it makes itself.
 * An entry name that is absolute or climbs with ".." rejects the whole package; links are never
 * created; every file is bounded in size.
 */
public final class DebugFileCollector {
    private static final Logger LOG = LoggerFactory.getLogger(DebugFileCollector.class);

    /** Archive entry kinds. */
    public enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK, OTHER }

    private final String release;
    private final Path staging;
    private final FetchSettings.Limits limits;
    private Path vmlinux;
    private final Map<String, Path> modules = new LinkedHashMap<>();

    public DebugFileCollector(String release, Path staging, FetchSettings.Limits limits) {
        this.release = release;
        this.staging = staging;
        this.limits = limits;
    }

    /**
     * One archive entry; reads {@code data} only if the entry is kept.
     *
     * @param archive names the package in error messages
     */
    public void entry(String archive, String rawName, Kind kind, long size, InputStream data) throws IOException {
        String name = checkName(archive, rawName);
        if (kind != Kind.FILE) {
            if (kind == Kind.SYMLINK && isWanted(name)) {
                LOG.debug("{}: skipping symlink {}", archive, name);
            }
            return;
        }
        String base = name.substring(name.lastIndexOf('/') + 1);
        Path target;
        if (isVmlinux(name)) {
            if (vmlinux != null) return;
            target = staging.resolve("vmlinux");
        } else if (isModule(name)) {
            String module = moduleName(base);
            if (modules.containsKey(module)) return;
            Files.createDirectories(staging.resolve("modules"));
            target = staging.resolve("modules").resolve(module + (base.endsWith(".debug") ? ".ko.debug" : ".ko"));
        } else {
            return;
        }
        if (size > limits.maxFile()) {
            throw new FetchException(archive + ": " + name + " is " + size + " bytes, more than the limit of "
                    + limits.maxFile() + " (raise the maxFile setting if it is genuine)");
        }
        write(archive, name, data, target);
        if (target.getFileName().toString().equals("vmlinux")) {
            vmlinux = target;
        } else {
            modules.put(moduleName(base), target);
        }
    }

    private void write(String archive, String name, InputStream data, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = data.read(buf)) >= 0) {
                total += n;
                if (total > limits.maxFile()) {
                    throw new FetchException(archive + ": " + name + " unpacks to more than " + limits.maxFile() + " bytes");
                }
                out.write(buf, 0, n);
            }
        }
    }

    /** Normalised entry name ("./usr/x" → "usr/x"), or a FetchException for a hostile one. */
    public static String checkName(String archive, String raw) {
        String n = raw;
        while (n.startsWith("./")) n = n.substring(2);
        if (n.startsWith("/") || n.indexOf('\0') >= 0 || n.indexOf('\\') >= 0) {
            throw new FetchException(archive + ": refusing the package: entry '" + raw + "' has an absolute or odd path");
        }
        for (String seg : n.split("/")) {
            if (seg.equals("..")) {
                throw new FetchException(archive + ": refusing the package: entry '" + raw + "' climbs out with '..'");
            }
        }
        return n;
    }

    private boolean isWanted(String name) {
        return isVmlinux(name) || isModule(name);
    }

    private boolean isVmlinux(String name) {
        return name.equals("usr/lib/debug/boot/vmlinux-" + release)
                || name.equals("usr/lib/debug/lib/modules/" + release + "/vmlinux")
                || name.equals("usr/lib/debug/vmlinux-" + release);
    }

    private boolean isModule(String name) {
        return name.startsWith("usr/lib/debug/lib/modules/" + release + "/")
                && (name.endsWith(".ko") || name.endsWith(".ko.debug"));
    }

    /** Kernel module names use '_' where file names may use '-'. */
    public static String moduleName(String fileName) {
        String b = fileName;
        if (b.endsWith(".debug")) b = b.substring(0, b.length() - 6);
        if (b.endsWith(".ko")) b = b.substring(0, b.length() - 3);
        return b.replace('-', '_');
    }

    public Optional<Path> vmlinux() { return Optional.ofNullable(vmlinux); }

    public Map<String, Path> modules() { return Collections.unmodifiableMap(modules); }
}
