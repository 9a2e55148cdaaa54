package org.kdive.shell;

import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.kdive.api.command.Command;
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

/**
 * Every {@link Command} service becomes a Gogo function in scope "kdive" while its bundle is
 * active: drop a command bundle in and it is there, remove it and it is gone.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = CommandRegistry.class)
public class CommandRegistry {
    private final Map<Command, ServiceRegistration<Function>> functions = new ConcurrentHashMap<>();
    private final Map<String, Command> byName = new ConcurrentHashMap<>();
    private final Map<Command, ServiceReference<Command>> refs = new ConcurrentHashMap<>();
    private volatile BundleContext context;
    private volatile SessionService sessions;
    private final Map<Command, ServiceReference<Command>> pending = new ConcurrentHashMap<>();

    @Reference
    void setSessions(SessionService s) { sessions = s; }

    private final List<ServiceRegistration<Command>> own = new java.util.ArrayList<>();

    @Activate
    void activate(BundleContext ctx) {
        context = ctx;
        pending.forEach(this::register);
        pending.clear();
        own.add(ctx.registerService(Command.class, new HelpCommand(this), null));
        own.add(ctx.registerService(Command.class, new JsonCommand(this), null));
    }

    @Deactivate
    void deactivate() {
        own.forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone
            }
        });
        own.clear();
        functions.values().forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with its bundle
            }
        });
        functions.clear();
        context = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommand(Command c, ServiceReference<Command> ref) {
        byName.put(c.name(), c);
        refs.put(c, ref);
        if (context == null) pending.put(c, ref);
        else register(c, ref);
    }

    void removeCommand(Command c) {
        byName.remove(c.name(), c);
        refs.remove(c);
        pending.remove(c);
        ServiceRegistration<Function> r = functions.remove(c);
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone
            }
        }
    }

    private void register(Command c, ServiceReference<Command> ref) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, "kdive");
        props.put(CommandProcessor.COMMAND_FUNCTION, new String[] {c.name()});
        functions.put(c, context.registerService(Function.class, new CommandFunction(c, this), props));
    }

    public Optional<Command> get(String name) { return Optional.ofNullable(byName.get(name)); }

    public boolean has(String name) { return byName.containsKey(name); }

    /** Commands by name, sorted. */
    public Map<String, Command> all() { return new TreeMap<>(byName); }

    public Collection<Command> commands() { return List.copyOf(byName.values()); }

    public ServiceReference<Command> reference(Command c) { return refs.get(c); }

    SessionService sessions() { return sessions; }
}
