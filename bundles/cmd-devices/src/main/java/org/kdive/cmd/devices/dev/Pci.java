package org.kdive.cmd.devices.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;

/** crash's do_pci2: the PCI root buses, their devices and child buses (pci_root_buses). */
final class Pci {
    private final Kern k;
    private final CommandContext ctx;

    Pci(Kern k, CommandContext ctx) {
        this.k = k;
        this.ctx = ctx;
    }

    String text(List<Object> rows) {
        long head = k.symbol("pci_root_buses").orElseThrow(() -> new CommandException("-p option not supported on this kernel"));
        List<Long> roots = Lists.listHead(k, head, ctx);
        if (roots.isEmpty()) throw new CommandException("no PCI devices found on this system.");
        long nodeOff = k.off("pci_bus", "node");
        StringBuilder sb = new StringBuilder();
        for (long n : roots) {
            long bus = n - nodeOff;
            sb.append(Fmt.mk("ROOT BUS", k.vaddrLen(), Fmt.CENTER)).append(' ').append(Fmt.mk("BUSNAME", 7, Fmt.CENTER)).append('\n');
            String name = busName(bus);
            sb.append(Fmt.mk(Fmt.hex(bus), k.vaddrLen(), Fmt.LJUST)).append(' ').append(Fmt.mk(name, 7, Fmt.CENTER)).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("rootBus", Hex.json(bus));
            r.put("name", name);
            List<Object> devices = new java.util.ArrayList<>();
            r.put("devices", devices);
            devices(bus, sb, devices);
            buses(bus, sb, devices);
            sb.append('\n');
            rows.add(r);
        }
        return sb.toString();
    }

    private String kobjName(long kobjAt) {
        String s = k.string(k.ptr(kobjAt + k.off("kobject", "name")), 1024);
        return s == null ? "" : s;
    }

    private String busName(long bus) {
        return kobjName(bus + k.off("pci_bus", "dev") + k.off("device", "kobj"));
    }

    private void devices(long bus, StringBuilder sb, List<Object> rows) {
        boolean pcie = k.hasMember("pci_dev", "pcie_flags_reg");
        sb.append("  ").append(Fmt.mk("PCI DEV", k.vaddrLen(), Fmt.CENTER)).append(' ')
                .append(Fmt.mk("DO:BU:SL.FN", 12, Fmt.CENTER)).append(' ').append(Fmt.mk("CLASS", 6, Fmt.CENTER)).append(' ')
                .append(Fmt.mk("PCI_ID", 9, Fmt.CENTER));
        if (pcie) sb.append(' ').append(Fmt.mk("TYPE", 10, Fmt.CENTER));
        sb.append('\n');
        long self = k.ptr(bus + k.off("pci_bus", "self"));
        if (self != 0) device(self, sb, rows);
        long listOff = k.off("pci_dev", "bus_list");
        for (long n : Lists.listHead(k, bus + k.off("pci_bus", "devices"), ctx)) device(n - listOff, sb, rows);
    }

    private void device(long dev, StringBuilder sb, List<Object> rows) {
        ctx.checkCancelled();
        String name = kobjName(dev + k.off("pci_dev", "dev") + k.off("device", "kobj"));
        int cls = (int) (k.u32(dev + k.off("pci_dev", "class")) >>> 8);
        int device = k.u16(dev + k.off("pci_dev", "device"));
        int vendor = k.u16(dev + k.off("pci_dev", "vendor"));
        String type = type(dev);
        sb.append("  ").append(Fmt.mk(Fmt.hex(dev), k.vaddrLen(), Fmt.LJUST)).append(' ')
                .append(Fmt.mk(name, 12, Fmt.CENTER)).append(' ').append(Fmt.mk(String.format("%04x", cls), 6, Fmt.CENTER)).append(' ')
                .append(Fmt.mk(Integer.toHexString(vendor) + ":" + Integer.toHexString(device), 9, Fmt.CENTER)).append(' ')
                .append(Fmt.mk(type, 10, Fmt.CENTER)).append('\n');
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pciDev", Hex.json(dev));
        r.put("name", name);
        r.put("class", cls);
        r.put("vendor", vendor);
        r.put("device", device);
        r.put("type", type.strip());
        rows.add(r);
    }

    private String type(long dev) {
        int hdr = k.u8(dev + k.off("pci_dev", "hdr_type"));
        StringBuilder t = new StringBuilder();
        if (k.hasMember("pci_dev", "pcie_flags_reg")) {
            int cap = k.u16(dev + k.off("pci_dev", "pcie_flags_reg"));
            int type = (cap & 0xf0) >> 4;
            String[] names = {"ENDPOINT", "LEG_END", null, null, "ROOT_PORT", "UPSTREAM", "DOWNSTREAM", "PCI_BRIDGE",
                "PCIE_BRIDGE", "RC_END", "RC_EC"};
            if (type < names.length && names[type] != null) t.append(names[type]);
        }
        if (hdr == 1 || hdr == 2) t.append(" [BRIDGE]");
        return t.toString();
    }

    private void buses(long bus, StringBuilder sb, List<Object> rows) {
        long nodeOff = k.off("pci_bus", "node");
        for (long n : Lists.listHead(k, bus + k.off("pci_bus", "children"), ctx)) {
            long child = n - nodeOff;
            long parent = k.ptr(child + k.off("pci_bus", "parent"));
            sb.append("  ").append(Fmt.mk("PCI BUS", k.vaddrLen(), Fmt.CENTER)).append(' ')
                    .append(Fmt.mk("PARENT BUS", k.vaddrLen(), Fmt.CENTER)).append('\n');
            sb.append("  ").append(Fmt.mk(Fmt.hex(child), k.vaddrLen(), Fmt.LJUST)).append(' ')
                    .append(Fmt.mk(Fmt.hex(parent), k.vaddrLen(), Fmt.LJUST)).append('\n');
            devices(child, sb, rows);
            sb.append('\n');
            buses(child, sb, rows);
        }
    }
}
