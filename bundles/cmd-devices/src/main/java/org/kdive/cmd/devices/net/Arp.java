package org.kdive.cmd.devices.net;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;

/** crash's dump_arp: the neighbours of arp_tbl's hash table (neigh_hash_table since 2.6.37). */
final class Arp {
    private static final String HEADING = "NEIGHBOUR        IP ADDRESS      HW TYPE    HW ADDRESS         DEVICE  STATE";
    private final Kern k;
    private final CommandContext ctx;

    Arp(Kern k, CommandContext ctx) {
        this.k = k;
        this.ctx = ctx;
    }

    String text(List<Object> rows) {
        long tbl = k.symbol("arp_tbl").orElseThrow(() -> new CommandException("arp_tbl does not exist in this kernel"));
        long nht = k.ptr(tbl + k.off("neigh_table", "nht"));
        int buckets;
        if (k.hasMember("neigh_hash_table", "hash_mask")) buckets = (int) k.u32(nht + k.off("neigh_hash_table", "hash_mask")) + 1;
        else buckets = 1 << (int) k.u32(nht + k.off("neigh_hash_table", "hash_shift"));
        long hash = k.ptr(nht + k.off("neigh_hash_table", "hash_buckets"));
        StringBuilder sb = new StringBuilder();
        boolean header = false;
        for (int i = 0; i < buckets; i++) {
            ctx.checkCancelled();
            long first = k.ptr(hash + 8L * i);
            if (first == 0) continue;
            if (!header) {
                sb.append(HEADING).append('\n');
                header = true;
            }
            for (long n : Lists.chain(k, first, k.off("neighbour", "next"), ctx)) sb.append(neighbour(n, rows));
        }
        return sb.toString();
    }

    private String neighbour(long n, List<Object> rows) {
        long ip = k.u32(n + k.off("neighbour", "primary_key"));
        int haLen = (int) Math.max(k.memberLength("neighbour", "ha"), 0);
        byte[] ha = k.memory().read(n + k.off("neighbour", "ha"), haLen);
        long dev = k.ptr(n + k.off("neighbour", "dev"));
        String devName = NetCommand.deviceName(k, dev);
        int devType = k.u16(dev + k.off("net_device", "type"));
        int addrLen = k.u8(dev + k.off("net_device", "addr_len"));
        int state = k.u8(n + k.off("neighbour", "nud_state"));
        StringBuilder sb = new StringBuilder(String.format("%-16x %-16s", n, Inet.v4(ip)));
        String type = switch (devType) {
            case 1 -> "ETHER";
            case 0 -> "NETROM";
            case 2 -> "EETHER";
            case 3 -> "AX25";
            case 4 -> "PRONET";
            case 5 -> "CHAOS";
            case 6 -> "IEEE802";
            case 7 -> "ARCNET";
            case 8 -> "APPLETLK";
            case 15 -> "DLCI";
            case 23 -> "METRICOM";
            default -> "UNKNOWN";
        };
        sb.append(String.format("%-10s ", type));
        StringBuilder hw = new StringBuilder();
        for (int i = 0; i < addrLen && i < ha.length; i++) {
            if (devType == 1) hw.append(String.format("%02x%c", ha[i] & 0xff, i == addrLen - 1 ? ' ' : ':'));
            else hw.append(String.format("%02x ", ha[i] & 0xff));
        }
        sb.append(hw).append(String.format(" %-6s  ", devName));
        String flags = flags(state);
        sb.append(flags).append('\n');
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("neighbour", Hex.json(n));
        r.put("ip", Inet.v4(ip));
        r.put("hwType", type);
        r.put("hwAddress", hw.toString().strip());
        r.put("device", devName);
        r.put("state", flags);
        rows.add(r);
        return sb.toString();
    }

    private static String flags(int state) {
        String[] names = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if ((state & (1 << i)) == 0) continue;
            if (sb.length() > 0) sb.append('|');
            sb.append(names[i]);
        }
        return sb.toString();
    }
}
