package org.kdive.shell;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.SessionService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@link Command} service becomes a Gogo function in scope "kdive" while its bundle is
 * active: drop a command bundle in and it is there, remove it and it is gone. A command that names
 * itself in the service property {@link Command#NAME_PROPERTY} is only activated when first used
 * (help, completion and start-up do not need its object); one without it is asked its name at once.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = CommandRegistry.class)
public class CommandRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRegistry.class);
    private final Map<ServiceReference<Command>, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Entry> byName = new ConcurrentHashMap<>();
    private final List<ServiceReference<Command>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile BundleContext context;
    private volatile SessionService sessions;

    /** One command service; its object is obtained (the component activated) on first use. */
    final class Entry implements Supplier<Command> {
        final ServiceReference<Command> ref;
        final String name;
        private volatile Command service;
        volatile ServiceRegistration<Function> function;

        Entry(ServiceReference<Command> ref, String name, Command service) {
            this.ref = ref;
            this.name = name;
            this.service = service;
        }

        @Override
        public Command get() {
            Command c = service;
            if (c == null) {
                synchronized (this) {
                    if (service == null) {
                        BundleContext ctx = context;
                        Command s = ctx == null ? null : ctx.getService(ref);
                        if (s == null) throw new CommandException(name + ": the command's bundle is gone or failed to start");
                        if (!name.equals(s.name())) {
                            LOG.warn("command service {} calls itself {} in its {} property", s.name(), name, Command.NAME_PROPERTY);
                        }
                        service = s;
                    }
                    c = service;
                }
            }
            return c;
        }

        boolean obtained() { return service != null; }
    }

    @Reference
    void setSessions(SessionService s) { sessions = s; }

    /** The task list, for help -t (optional: without it help -t says where to look). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile org.kdive.api.kernel.KernelTasks kernelTasks;

    org.kdive.api.kernel.KernelTasks kernelTasks() { return kernelTasks; }

    private final List<ServiceRegistration<Command>> own = new java.util.ArrayList<>();
    /** crash's aliases: each is a command service of its own, left out of {@link #all()} (help's list). */
    private volatile AliasCommand aliases;

    @Activate
    void activate(BundleContext ctx) {
        context = ctx;
        pending.forEach(this::register);
        pending.clear();
        own.add(ctx.registerService(Command.class, new HelpCommand(this), named("help")));
        own.add(ctx.registerService(Command.class, new JsonCommand(this), named("json")));
        own.add(ctx.registerService(Command.class, new RepeatCommand(this), named("repeat")));
        aliases = new AliasCommand(this, ctx);
        own.add(ctx.registerService(Command.class, aliases, named("alias")));
        aliases.builtins();
    }

    private static Dictionary<String, Object> named(String name) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Command.NAME_PROPERTY, name);
        return props;
    }

    @Deactivate
    void deactivate() {
        if (aliases != null) aliases.close();
        own.forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone
            }
        });
        own.clear();
        for (ServiceReference<Command> ref : List.copyOf(entries.keySet())) removeCommand(ref);
        context = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommand(ServiceReference<Command> ref) {
        if (context == null) pending.add(ref);
        else register(ref);
    }

    void removeCommand(ServiceReference<Command> ref) {
        pending.remove(ref);
        Entry e = entries.remove(ref);
        if (e == null) return;
        byName.remove(e.name, e);
        ServiceRegistration<Function> r = e.function;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException ex) {
                // already gone
            }
        }
        BundleContext ctx = context;
        if (e.obtained() && ctx != null) {
            try {
                ctx.ungetService(ref);
            } catch (IllegalStateException ex) {
                // our bundle is stopping
            }
        }
    }

    private void register(ServiceReference<Command> ref) {
        Object declared = ref.getProperty(Command.NAME_PROPERTY);
        Entry e;
        if (declared instanceof String n && !n.isBlank()) {
            e = new Entry(ref, n, null);
        } else {
            Command c = context.getService(ref);
            if (c == null) return;
            e = new Entry(ref, c.name(), c);
        }
        entries.put(ref, e);
        byName.put(e.name, e);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, "kdive");
        props.put(CommandProcessor.COMMAND_FUNCTION, new String[] {e.name});
        e.function = context.registerService(Function.class, new CommandFunction(e, this), props);
    }

    /** The command, activating its component if it has not run yet. */
    public Optional<Command> get(String name) {
        Entry e = byName.get(name);
        return e == null ? Optional.empty() : Optional.of(e.get());
    }

    public boolean has(String name) { return byName.containsKey(name); }

    /** "NAME: command not found", with the nearest command's name when NAME looks like a typo of it. */
    static String notFound(CommandRegistry registry, String name) {
        return name + ": command not found" + org.kdive.api.util.Suggest.nearest(name, registry.names())
                .map(n -> " (did you mean " + n + "?)").orElse(" (try: help)");
    }

    /** Command names, sorted, without activating any command. */
    public SortedSet<String> names() { return new TreeSet<>(byName.keySet()); }

    /** Commands by name, sorted (activates every command). */
    public Map<String, Command> all() {
        Map<String, Command> all = new TreeMap<>();
        for (Entry e : byName.values()) {
            AliasCommand a = aliases;
            if (a != null && a.isAlias(e.name)) continue;
            try {
                all.put(e.name, e.get());
            } catch (CommandException ex) {
                // gone meanwhile
            }
        }
        return all;
    }

    SessionService sessions() { return sessions; }
}
