package org.kdive.arch.x86.dis;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.dis.Instruction;
import org.kdive.dis.capstone.CapstoneEngine;
import org.kdive.dis.capstone.Decoded;
import org.kdive.dis.capstone.EngineUnavailableException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * x86-64 disassembly on capstone (the embedded kdive-dis-capstone library), rendered as gdb prints
 * it. The engine is loaded on first use, so the service registers even when libcapstone is missing;
 * disassembling then throws {@link EngineUnavailableException} with install advice.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Disassembler.class)
public class X86Disassembler implements Disassembler {
    private static final Logger LOG = LoggerFactory.getLogger(X86Disassembler.class);
    private CapstoneEngine engine;
    private RuntimeException failure;

    @Override
    public String name() { return "capstone"; }

    @Override
    public String description() {
        CapstoneEngine e = engine;
        return "x86_64 disassembler on capstone" + (e == null ? "" : " " + e.version() + " (" + e.path() + ")")
                + ", AT&T syntax as gdb prints it";
    }

    @Override
    public boolean supports(String machine) {
        return machine != null && (machine.equals("x86_64") || machine.equals("amd64") || machine.equals("x86-64"));
    }

    @Override
    public List<Instruction> disassemble(String machine, byte[] code, long address, int max) {
        if (!supports(machine)) throw new IllegalArgumentException("capstone disassembler: unsupported machine " + machine);
        List<Instruction> out = new ArrayList<>();
        for (Decoded d : engine().decode(code, address, max)) {
            out.add(GdbSyntax.render(d));
        }
        return out;
    }

    private synchronized CapstoneEngine engine() {
        if (engine != null) return engine;
        if (failure != null) throw failure;
        try {
            engine = CapstoneEngine.open(CapstoneEngine.Mode.X86_64);
            LOG.debug("capstone {} loaded from {}", engine.version(), engine.path());
            return engine;
        } catch (EngineUnavailableException e) {
            failure = e;
        } catch (NoClassDefFoundError e) {
            failure = new EngineUnavailableException("capstone engine not usable: JNA (com.sun.jna) is not installed: " + e.getMessage());
        } catch (LinkageError e) {
            failure = new EngineUnavailableException("capstone engine not found: install libcapstone4 (apt-get install libcapstone4): " + e.getMessage());
        }
        throw failure;
    }

    @Deactivate
    synchronized void deactivate() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
