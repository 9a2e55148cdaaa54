package org.kdive.cmd.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `pte`: what a page-table entry's value says, as the architecture reads it (through
 * org.kdive.api.arch.MachineFacts): the physical page and flag names of a present entry, the swap
 * device and offset of a swapped-out one.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=pte")
public final class PteCommand implements Command {
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<MachineFacts> machines = new java.util.concurrent.CopyOnWriteArrayList<>();

    public PteCommand() {
    }

    public PteCommand(List<MachineFacts> machines) {
        this.machines = machines;
    }

    @Override public String name() { return "pte"; }

    @Override public String description() { return "translate a page table entry"; }

    @Override
    public String usage() {
        return """
                pte - translate a page table entry
                pte contents ...
                  Each hexadecimal page-table entry value decoded for the dump's architecture: a present
                  entry's physical page address and flag bits, a swap entry's swap device and offset,
                  or "no mapping" for 0.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.isEmpty()) throw new CommandException("Usage: pte contents ...", CommandException.USAGE);
        Session s = context.session();
        MachineFacts facts = Machines.of(machines, s, "pte");
        List<Long> values = new ArrayList<>();
        for (String a : args) values.add(Numbers.hex("pte", a));
        SwapNames swaps = new SwapNames(s);
        return Result.stream("entries", out -> {
            for (long v : values) {
                context.checkCancelled();
                one(out, facts.decodePte(s, v), swaps);
            }
            return null;
        });
    }

    private static void one(Output out, MachineFacts.PteBits b, SwapNames swaps) {
        String pte = Long.toHexString(b.entry());
        int len1 = Math.max(pte.length(), 3);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pte", Hex.json(b.entry()));
        r.put("present", b.present());
        if (!b.present() && b.entry() != 0) {
            out.text(Cols.center("PTE", len1, false) + "  ");
            String dev = swaps.device(b.swapType());
            r.put("swap_type", b.swapType());
            r.put("swap_offset", b.swapOffset());
            r.put("swap", dev);
            // crash parses "DEVICE  OFFSET: N" into three words; a device it cannot name stops it
            if (dev == null || dev.contains(" ")) {
                out.error("swap-location", "pte: cannot determine swap location\n");
                out.record(r);
                return;
            }
            String off = Long.toString(b.swapOffset());
            int len2 = Math.max(dev.length(), 4);
            int len3 = Math.max(off.length(), 6);
            out.text(Cols.center("SWAP", len2, false) + "  " + Cols.center("OFFSET", len3, false) + "\n");
            out.text(Cols.center(pte, len1, true) + "  " + Cols.center(dev, len2, true) + "  " + Cols.center(off, len3, true) + "\n");
            out.record(r);
            return;
        }
        String phys = Long.toHexString(b.physical());
        int len2 = Math.max(phys.length(), 8);
        out.text(Cols.center("PTE", len1, false) + "  " + Cols.center("PHYSICAL", len2, false) + "  FLAGS\n");
        String flags = b.entry() == 0 ? "no mapping" : String.join("|", b.flags());
        out.text(Cols.center(pte, len1, true) + "  " + Cols.center(phys, len2, true) + "  (" + flags + ")\n");
        r.put("physical", Hex.json(b.physical()));
        r.put("flags", b.flags());
        out.record(r);
    }
}
