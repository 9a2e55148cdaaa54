package org.kdive.fetch.deb;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.support.BoundedInputStream;
import org.kdive.fetch.support.Decompress;
import org.kdive.fetch.support.DebugFileCollector;
import org.kdive.fetch.support.FetchSettings;

/** Reads data.tar.{xz,zst,gz,bz2?} out of a .deb/.ddeb; the control part (and its scripts) is never read. */
final class DebUnpacker {
    private final FetchSettings.Limits limits;

    DebUnpacker(FetchSettings.Limits limits) {
        this.limits = limits;
    }

    void unpack(Path pkg, String name, InputStream raw, DebugFileCollector sink) throws IOException {
        ArReader ar = new ArReader(new BufferedInputStream(raw, 1 << 16), name);
        ArReader.Member m;
        while ((m = ar.next()) != null) {
            if (!m.name().startsWith("data.tar")) continue;
            String suffix = m.name().equals("data.tar") ? "" : m.name().substring("data.tar.".length());
            InputStream data = new BoundedInputStream(Decompress.open(m.data(), suffix, name), limits.maxUnpacked(), name);
            TarReader tar = new TarReader(data, name);
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                sink.entry(name, e.name(), e.kind(), e.size(), e.data());
            }
            return;
        }
        throw new FetchException(name + ": no data.tar member: not a Debian binary package");
    }
}
