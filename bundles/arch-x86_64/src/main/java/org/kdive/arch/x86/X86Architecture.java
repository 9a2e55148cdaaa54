package org.kdive.arch.x86;

import org.kdive.api.arch.Architecture;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The x86_64 architecture: page tables, PRSTATUS registers and ORC unwinding. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Architecture.class)
public final class X86Architecture implements Architecture {
    @Override
    public String name() {
        return "x86_64";
    }

    @Override
    public String description() {
        return "x86_64: 4/5-level page tables with KASLR, PRSTATUS registers, ORC unwinder with exception frames";
    }

    @Override
    public boolean supports(String machine) {
        return "x86_64".equals(machine) || "amd64".equals(machine) || "x86-64".equals(machine);
    }

    @Override
    public KernelArch attach(Dump dump, VmcoreInfo vmcoreinfo) {
        return new X86KernelArch(dump, vmcoreinfo == null ? VmcoreInfo.empty() : vmcoreinfo);
    }
}
