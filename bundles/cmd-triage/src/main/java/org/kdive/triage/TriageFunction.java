package org.kdive.triage;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * Triage for programs that embed kdive's framework (the fleet job in Spark): a service whose
 * types are the JDK's only, so the embedding class loader shares nothing with the bundles but
 * java.*. Registered as {@code java.util.function.Function} with {@code kdive.function=triage}.
 *
 * <p>Request: {@code files} (List of paths, required), {@code name} (String, the record's "dump"),
 * {@code vmlinux} (List of paths), {@code debuginfo} (List of folders), {@code fetch} (Boolean),
 * {@code timeout} (Number, seconds). Answer: the record, a JSON-ready Map (see {@link Triage#FIELDS}).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Function.class, property = TriageFunction.PROPERTY + "=triage")
public class TriageFunction extends Components implements Function<Map<String, Object>, Map<String, Object>> {
    public static final String PROPERTY = "kdive.function";

    @Override
    public Map<String, Object> apply(Map<String, Object> request) {
        List<Path> files = paths(request.get("files"));
        Object timeout = request.get("timeout");
        Options opt = new Options(paths(request.get("vmlinux")), paths(request.get("debuginfo")),
                !Boolean.FALSE.equals(request.get("fetch")),
                timeout instanceof Number n ? Duration.ofMillis(Math.round(n.doubleValue() * 1000)) : Options.DEFAULT_BUDGET);
        String name = request.get("name") == null ? (files.isEmpty() ? "?" : files.get(0).toString()) : request.get("name").toString();
        return new Triage(services(), opt).run(files, name);
    }

    private static List<Path> paths(Object o) {
        List<Path> out = new ArrayList<>();
        if (o instanceof List<?> l) for (Object x : l) out.add(Paths.get(x.toString()));
        else if (o != null) out.add(Paths.get(o.toString()));
        return out;
    }
}
