package org.kdive.cmd.symbols.modules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.command.CommandException;
import org.kdive.api.kernel.LoadedModule;
import org.kdive.api.kernel.Modules;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The module list and `mod -s` loading as a service for other bundles (autopsy …). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = {Modules.class, org.kdive.api.session.SessionListener.class})
public class ModulesService implements Modules, org.kdive.api.session.SessionListener {
    private static final org.slf4j.Logger LISTENER_LOG = org.slf4j.LoggerFactory.getLogger(ModulesService.class);

    /** Module symbols join the session at open, as crash loads them at start-up. */
    @Override
    public void opened(Session session) {
        try {
            KernelModules.ensureKallsyms(session);
        } catch (RuntimeException e) {
            LISTENER_LOG.warn("module symbols unavailable: {}", e.getMessage());
        }
    }

    @Override
    public List<LoadedModule> modules(Session session) {
        // as `mod` does: module addresses resolve to names once the list is read
        KernelModules.ensureKallsyms(session);
        return KernelModules.list(session).stream()
                .map(m -> new LoadedModule(m.name(), m.struct(), m.base(), m.size())).toList();
    }

    @Override
    public Optional<String> buildId(Session session, String module) {
        return find(session, module).flatMap(m -> KernelModules.buildId(session, m));
    }

    @Override
    public Optional<DebugInfo> loaded(Session session, String module) {
        return session.modules().stream().filter(d -> module.equals(d.module())).findFirst();
    }

    @Override
    public DebugInfo load(Session session, String module, Path file) {
        KernelModules.Module m = find(session, module)
                .orElseThrow(() -> new CommandException(module + ": not a loaded module"));
        if (!Files.isRegularFile(file)) throw new CommandException(file + ": no such file");
        Optional<String> want = KernelModules.buildId(session, m);
        Optional<String> have = BuildIds.ofFile(file);
        if (want.isPresent() && have.isPresent() && !want.get().equals(have.get())) {
            throw new CommandException(file + ": build-id " + have.get() + " does not match module " + m.name()
                    + " in the dump (" + want.get() + ")");
        }
        Map<String, Long> sections = KernelModules.sections(session, m);
        if (sections.isEmpty()) throw new CommandException(m.name() + ": section addresses unreadable (mod->sect_attrs)");
        KernelModules.ensureKallsyms(session);
        DebugInfo d;
        try {
            d = session.loadDebugInfo(file, LoadSpec.module(m.name(), sections));
        } catch (IOException e) {
            throw new CommandException(file + ": " + e.getMessage());
        }
        // the same per-session map `mod` shows its OBJECT FILE column from
        Map<String, String> shown = session.cached("cmd-symbols.mod-files", ConcurrentHashMap::new);
        shown.put(m.name(), file.toString());
        return d;
    }

    private static Optional<KernelModules.Module> find(Session session, String name) {
        String n = name.replace('-', '_');
        return KernelModules.list(session).stream().filter(m -> m.name().equals(n)).findFirst();
    }
}
