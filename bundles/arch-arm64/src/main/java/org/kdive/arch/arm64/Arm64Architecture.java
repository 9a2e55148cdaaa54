package org.kdive.arch.arm64;

import org.kdive.api.arch.Architecture;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The AArch64 architecture: page tables with KASLR, PRSTATUS registers, frame-record unwinding. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Architecture.class)
public final class Arm64Architecture implements Architecture {
    @Override
    public String name() {
        return "arm64";
    }

    @Override
    public String description() {
        return "AArch64 (arm64): 4 KiB-granule page tables (48/52-bit VA) with KASLR from VMCOREINFO, PRSTATUS registers,"
                + " frame-record unwinding through exception frames with pointer authentication stripped";
    }

    @Override
    public boolean supports(String machine) {
        return "aarch64".equals(machine) || "arm64".equals(machine);
    }

    @Override
    public KernelArch attach(Dump dump, VmcoreInfo vmcoreinfo) {
        return new Arm64KernelArch(dump, vmcoreinfo == null ? VmcoreInfo.empty() : vmcoreinfo);
    }
}
