package org.kdive.fetch.rpm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.support.BoundedInputStream;
import org.kdive.fetch.support.Decompress;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.PackageFetch;

/** A yum/dnf repository's metadata: repomd.xml → primary.xml(.gz|.xz|.zst) → package locations and SHA256. */
final class Repodata {
    /** One package as primary.xml lists it. */
    record Entry(String name, String arch, String ver, String rel, String location, String sha256, long size) {
    }

    private Repodata() {
    }

    /**
     * Looks the wanted packages ({@code name-ver-rel.arch}) up in the repository. Empty when it has no
     * repodata; a map without a name when it does not list that package.
     */
    static Optional<Map<String, PackageFetch.Source>> lookup(URI base, Downloader dl, Path tmpDir, Map<String, String[]> wanted)
            throws IOException {
        Optional<byte[]> repomd = dl.get(base.resolve("repodata/repomd.xml"), 16 << 20);
        if (repomd.isEmpty()) return Optional.empty();
        String[] primary = primaryLocation(repomd.get(), base);
        if (primary[0].contains("..") || primary[0].startsWith("/") || primary[0].contains("://")) {
            throw new FetchException(base + "repodata/repomd.xml: refusing odd location " + primary[0]);
        }
        Files.createDirectories(tmpDir);
        Path file = tmpDir.resolve("primary-" + Integer.toHexString(base.toString().hashCode()) + suffix(primary[0]));
        Files.deleteIfExists(file);
        try {
            if (!dl.download(base.resolve(primary[0]), file, new Downloader.Expect(primary[1], -1), (t, n) -> org.kdive.api.command.Progress.NONE)) {
                throw new FetchException(base.resolve(primary[0]) + ": listed in repomd.xml but missing");
            }
            Map<String, PackageFetch.Source> out = new HashMap<>();
            try (InputStream in = new BoundedInputStream(Decompress.sniff(Files.newInputStream(file), file.toString()),
                    8L << 30, file.toString())) {
                for (Entry e : parsePrimary(in, base, wanted)) {
                    if (e.location().contains("..") || e.location().startsWith("/") || e.location().contains("://")) {
                        throw new FetchException(base + ": refusing odd package location " + e.location());
                    }
                    out.put(e.name(), new PackageFetch.Source(base.resolve(e.location()), new Downloader.Expect(e.sha256(), e.size())));
                }
            }
            return Optional.of(out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String suffix(String loc) {
        int dot = loc.lastIndexOf('.');
        return dot > loc.lastIndexOf('/') ? loc.substring(dot) : "";
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }

    /** {location, sha256} of the primary metadata. */
    static String[] primaryLocation(byte[] repomd, URI base) {
        try {
            XMLStreamReader r = factory().createXMLStreamReader(new ByteArrayInputStream(repomd));
            boolean inPrimary = false;
            String sha = null;
            String loc = null;
            String checksumType = null;
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    String n = r.getLocalName();
                    if (n.equals("data")) {
                        inPrimary = "primary".equals(r.getAttributeValue(null, "type"));
                    } else if (inPrimary && n.equals("checksum")) {
                        checksumType = r.getAttributeValue(null, "type");
                        String v = r.getElementText().trim();
                        if ("sha256".equals(checksumType)) sha = v;
                    } else if (inPrimary && n.equals("location")) {
                        loc = r.getAttributeValue(null, "href");
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("data") && inPrimary) {
                    break;
                }
            }
            if (loc == null) throw new FetchException(base + "repodata/repomd.xml: no primary metadata");
            return new String[] {loc, sha};
        } catch (XMLStreamException e) {
            throw new FetchException(base + "repodata/repomd.xml: " + e.getMessage(), e);
        }
    }

    /** The entries of primary.xml for the wanted name → {ver, rel, arch}. */
    static java.util.List<Entry> parsePrimary(InputStream in, URI base, Map<String, String[]> wanted) {
        java.util.List<Entry> out = new java.util.ArrayList<>();
        try {
            XMLStreamReader r = factory().createXMLStreamReader(in);
            Map<String, String> cur = new HashMap<>();
            boolean inPackage = false;
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    String n = r.getLocalName();
                    if (n.equals("package")) {
                        inPackage = true;
                        cur.clear();
                    } else if (!inPackage) {
                        continue;
                    } else if (n.equals("name") && !cur.containsKey("name")) {
                        cur.put("name", r.getElementText().trim());
                    } else if (n.equals("arch") && !cur.containsKey("arch")) {
                        cur.put("arch", r.getElementText().trim());
                    } else if (n.equals("version") && !cur.containsKey("ver")) {
                        cur.put("ver", r.getAttributeValue(null, "ver"));
                        cur.put("rel", r.getAttributeValue(null, "rel"));
                    } else if (n.equals("checksum") && !cur.containsKey("sumtype")) {
                        cur.put("sumtype", String.valueOf(r.getAttributeValue(null, "type")));
                        cur.put("sum", r.getElementText().trim());
                    } else if (n.equals("size") && !cur.containsKey("size")) {
                        cur.put("size", r.getAttributeValue(null, "package"));
                    } else if (n.equals("location") && !cur.containsKey("location")) {
                        cur.put("location", r.getAttributeValue(null, "href"));
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("package") && inPackage) {
                    inPackage = false;
                    String[] w = wanted.get(cur.get("name"));
                    if (w != null && w[0].equals(cur.get("ver")) && w[1].equals(cur.get("rel")) && w[2].equals(cur.get("arch"))
                            && cur.get("location") != null) {
                        long size = -1;
                        try {
                            size = Long.parseLong(cur.getOrDefault("size", "-1"));
                        } catch (NumberFormatException ignored) {
                            // unknown
                        }
                        String sha = "sha256".equals(cur.get("sumtype")) ? cur.get("sum") : null;
                        out.add(new Entry(cur.get("name"), cur.get("arch"), cur.get("ver"), cur.get("rel"), cur.get("location"), sha, size));
                    }
                }
            }
            return out;
        } catch (XMLStreamException e) {
            throw new FetchException(base + ": damaged primary metadata: " + e.getMessage(), e);
        }
    }
}
