package org.kdive.fetch.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.kdive.api.command.Progress;
import org.kdive.api.fetch.FetchContext;

/** A FetchContext on a folder that records the progress tasks it was asked for. */
public final class TestContext implements FetchContext {
    private final Path root;
    public final List<String> tasks = new CopyOnWriteArrayList<>();

    public TestContext(Path root) {
        this.root = root;
    }

    @Override public Path cacheRoot() { return root; }

    @Override
    public Progress progress(String task, long totalBytes) {
        tasks.add(task);
        return Progress.NONE;
    }
}
