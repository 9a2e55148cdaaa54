package org.kdive.api.fetch;

import java.net.URI;
import java.util.List;

/**
 * What a fetcher would download for a kernel: shown to the user offline or before fetching.
 *
 * @param packages package file names, e.g. "kernel-debuginfo-3.10.0-862.el7.x86_64.rpm"
 * @param urls     where they are (in preference order)
 * @param note     how to do it by hand and where to put the files
 */
public record FetchPlan(String fetcher, List<String> packages, List<URI> urls, String note) {
}
