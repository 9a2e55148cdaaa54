package org.kdive.cmd.devices.access;

import java.util.BitSet;
import org.kdive.api.command.CommandException;

/** crash's CPU specifications ("1", "0,2", "0-3", "all") and cpumask printing. */
public final class Cpus {
    private Cpus() {
    }

    /** The CPUs a specification names, each below {@code cpus}. */
    public static BitSet parse(String spec, int cpus, String command) {
        BitSet set = new BitSet();
        if (spec.equals("a") || spec.equals("all")) {
            set.set(0, cpus);
            return set;
        }
        for (String part : spec.split(",")) {
            try {
                int dash = part.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? part.trim() : part.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
                if (from < 0 || to < from || to >= cpus) throw new NumberFormatException();
                set.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new CommandException(command + ": invalid cpu specification: " + spec, CommandException.USAGE);
            }
        }
        return set;
    }

    /** crash's display_cpu_affinity: runs as "a-b", single CPUs as "a", separated by commas. */
    public static String ranges(BitSet mask, int cpus) {
        StringBuilder sb = new StringBuilder();
        int cpu = 0;
        while (cpu < cpus) {
            if (!mask.get(cpu)) {
                cpu++;
                continue;
            }
            int start = cpu;
            while (cpu < cpus && mask.get(cpu)) cpu++;
            if (sb.length() > 0) sb.append(',');
            sb.append(start == cpu - 1 ? String.valueOf(start) : start + "-" + (cpu - 1));
        }
        return sb.toString();
    }

    public static BitSet fromWords(byte[] b) {
        return BitSet.valueOf(b);
    }
}
