package org.kdive.arch.arm64.dis;

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

/**
 * AArch64 disassembly on capstone's ARM64 mode (the embedded kdive-dis-capstone library), rendered
 * as gdb prints it (crash's dis is gdb's). The engine is loaded on first use, so the service
 * registers even when libcapstone is missing; disassembling then throws
 * {@link EngineUnavailableException} with install advice.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Disassembler.class)
public class Arm64Disassembler implements Disassembler {
    private CapstoneEngine engine;
    private RuntimeException failure;

    @Override
    public String name() { return "capstone-arm64"; }

    @Override
    public String description() {
        CapstoneEngine e = engine;
        return "AArch64 disassembler on capstone" + (e == null ? "" : " " + e.version() + " (" + e.path() + ")")
                + ", as gdb prints it";
    }

    @Override
    public boolean supports(String machine) {
        return "aarch64".equals(machine) || "arm64".equals(machine);
    }

    @Override
    public List<Instruction> disassemble(String machine, byte[] code, long address, int max) {
        if (!supports(machine)) throw new IllegalArgumentException("capstone arm64 disassembler: unsupported machine " + machine);
        List<Instruction> out = new ArrayList<>();
        for (Decoded d : engine().decode(code, address, max)) out.add(GdbArm64Syntax.render(d));
        return out;
    }

    private synchronized CapstoneEngine engine() {
        if (engine != null) return engine;
        if (failure != null) throw failure;
        try {
            engine = CapstoneEngine.open(CapstoneEngine.Mode.ARM64);
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
