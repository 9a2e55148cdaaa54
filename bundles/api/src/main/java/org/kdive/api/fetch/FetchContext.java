package org.kdive.api.fetch;

import java.nio.file.Path;
import org.kdive.api.command.Progress;

/** Where fetchers keep their files and how they report progress. */
public interface FetchContext {
    /** The root of kdive's debuginfo cache; a fetcher writes under {@code cacheRoot()/<its name>/}. */
    Path cacheRoot();

    Progress progress(String task, long totalBytes);
}
