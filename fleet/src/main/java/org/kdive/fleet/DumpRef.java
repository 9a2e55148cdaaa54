package org.kdive.fleet;

import java.io.Serializable;

/** A dump found on a file system: its URI, size and modification time (ms). */
public record DumpRef(String uri, long size, long mtime) implements Serializable {
}
