package org.kdive.fetch.deb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.support.BoundedInputStream;
import org.kdive.fetch.support.Decompress;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.PackageFetch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An APT archive (Debian mirror, Ubuntu ddebs): its Packages indexes and its pool. */
final class DebRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DebRepository.class);
    private static final long MAX_INDEX = 512L << 20;
    private static final String[] INDEXES = {"Packages.xz", "Packages.gz", "Packages"};

    private final URI base;

    DebRepository(String base) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
    }

    URI base() { return base; }

    URI resolve(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /**
     * Looks the package up in {@code dists/SUITE/COMPONENT/binary-ARCH/Packages*} of each suite and
     * component; the first index that lists it wins. Empty when no index lists it (or none exists).
     */
    Optional<PackageFetch.Source> lookup(Downloader dl, List<String> suites, List<String> components, String arch,
            String pkg, String version) throws IOException {
        for (String suite : suites) {
            for (String comp : components) {
                for (String idx : INDEXES) {
                    URI u = resolve("dists/" + suite + "/" + comp + "/binary-" + arch + "/" + idx);
                    Optional<byte[]> data = dl.get(u, MAX_INDEX);
                    if (data.isEmpty()) continue;
                    String kind = idx.endsWith(".xz") ? "xz" : idx.endsWith(".gz") ? "gz" : "";
                    try (InputStream in = new BoundedInputStream(
                            Decompress.open(new ByteArrayInputStream(data.get()), kind, u.toString()), 4 * MAX_INDEX, u.toString())) {
                        Optional<PackagesIndex.Stanza> s = PackagesIndex.find(in, pkg, version);
                        if (s.isPresent()) {
                            LOG.debug("{} {} listed in {}", pkg, version, u);
                            PackagesIndex.Stanza st = s.get();
                            if (st.filename().contains("..") || st.filename().startsWith("/") || st.filename().contains("://")) {
                                throw new FetchException(u + ": refusing odd Filename " + st.filename());
                            }
                            return Optional.of(new PackageFetch.Source(resolve(st.filename()),
                                    new Downloader.Expect(st.sha256(), st.size())));
                        }
                    }
                    break; // this suite/component has an index and the package is not in it
                }
            }
        }
        return Optional.empty();
    }
}
