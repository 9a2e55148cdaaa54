package org.kdive.cmd.devices.dev;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.IndexedTree;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;

/**
 * crash's display_all_diskio ({@code dev -d}, {@code -D} only disks with I/O in flight): each disk
 * of the block class (its klist of devices, dead nodes skipped) with the read and write requests in
 * flight: for blk-mq queues the requests of the hardware queues' tags in state MQ_RQ_IN_FLIGHT, else
 * the per-CPU disk_stats in_flight counters.
 */
final class DiskIo {
    private static final int MQ_RQ_IN_FLIGHT = 1;

    private final Kern k;
    private final CommandContext ctx;

    DiskIo(Kern k, CommandContext ctx) {
        this.k = k;
        this.ctx = ctx;
    }

    String text(boolean nonzeroOnly, List<Object> rows) {
        boolean sync = k.session().symbols().enumeratorType("BLK_RW_SYNC").isPresent();
        boolean drv = k.hasMember("request_queue", "in_flight");
        int nameLen = (int) k.memberLength("gendisk", "disk_name");
        if (nameLen <= 0) throw new CommandException("-d option not supported on this kernel");
        StringBuilder sb = new StringBuilder();
        sb.append("MAJOR").append(" ").append(Fmt.mk("GENDISK", k.vaddrLen() + 2, Fmt.LJUST)).append(" ")
                .append("NAME      ").append(" ")
                .append(Fmt.mk("REQUEST_QUEUE", k.vaddrLen() <= 11 ? 13 : k.vaddrLen() + 2, Fmt.LJUST)).append(" ")
                .append(Fmt.mk("TOTAL", 5, Fmt.RJUST)).append(" ")
                .append(Fmt.mk(sync ? "ASYNC" : "READ", 5, Fmt.RJUST)).append(" ")
                .append(Fmt.mk(sync ? "SYNC" : "WRITE", 5, Fmt.RJUST)).append(" ")
                .append(drv ? Fmt.mk("DRV", 5, Fmt.RJUST) : "").append('\n');
        long diskType = k.requireSymbol("disk_type");
        for (long gendisk : disks(diskType)) {
            ctx.checkCancelled();
            String name = k.inlineString(gendisk + k.off("gendisk", "disk_name"), nameLen);
            if (name.startsWith("ram") || name.startsWith("loop")) continue;
            long queue = k.ptr(gendisk + k.off("gendisk", "queue"));
            int major = k.s32(gendisk + k.off("gendisk", "major"));
            long[] io = inFlight(queue, gendisk);
            if (nonzeroOnly && io[0] + io[1] == 0) continue;
            sb.append(Fmt.mk(String.valueOf(major), 5, Fmt.RJUST)).append(' ')
                    .append(Fmt.mk(Fmt.hex(gendisk), k.vaddrLen(), Fmt.LJUST)).append("   ")
                    .append(Fmt.mk(name, 10, Fmt.LJUST)).append(' ')
                    .append(Fmt.mk(Fmt.hex(queue), k.vaddrLen() <= 11 ? 11 : k.vaddrLen(), Fmt.LJUST)).append("   ")
                    .append(String.format("%5d", (int) (io[0] + io[1]))).append(' ')
                    .append(Fmt.mk(String.valueOf((int) io[0]), 5, Fmt.RJUST)).append(' ')
                    .append(Fmt.mk(String.valueOf((int) io[1]), 5, Fmt.RJUST)).append(' ');
            if (drv) {
                boolean mq = isMq(queue);
                sb.append(mq ? "N/A(MQ)" : String.format("%5d", k.u32(queue + k.off("request_queue", "in_flight"))));
            }
            sb.append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("major", major);
            r.put("gendisk", Hex.json(gendisk));
            r.put("name", name);
            r.put("requestQueue", Hex.json(queue));
            r.put("total", io[0] + io[1]);
            r.put(sync ? "async" : "read", io[0]);
            r.put(sync ? "sync" : "write", io[1]);
            rows.add(r);
        }
        return sb.toString();
    }

    /** The block class's list of devices: class.p (before 6.4) or the "block" subsys_private of class_kset. */
    private List<Long> disks(long diskType) {
        long priv;
        if (k.hasMember("class", "p")) {
            priv = k.ptr(k.requireSymbol("block_class") + k.off("class", "p"));
        } else {
            priv = subsysPrivate("block");
        }
        if (priv == 0) throw new CommandException("cannot determine subsys_private for block.");
        long head = priv + k.off("subsys_private", "klist_devices") + k.off("klist", "k_list");
        long nNode = k.off("klist_node", "n_node");
        long nKlist = k.off("klist_node", "n_klist");
        List<Long> out = new ArrayList<>();
        for (long node : Lists.listHead(k, head, ctx)) {
            long kn = node - nNode;
            if ((k.ptr(kn + nKlist) & 1) != 0) continue;   // a dead klist_node
            long device;
            if (k.hasMember("device", "knode_class")) {
                device = kn - k.off("device", "knode_class");
            } else {
                long dp = kn - k.off("device_private", "knode_class");
                device = k.ptr(dp + k.off("device_private", "device"));
            }
            if (k.ptr(device + k.off("device", "type")) != diskType) continue;
            if (k.hasStruct("hd_struct") && k.hasMember("hd_struct", "__dev")) {
                out.add(device - k.off("hd_struct", "__dev") - k.off("gendisk", "part0"));
            } else {
                out.add(k.ptr(device - k.off("block_device", "bd_device") + k.off("block_device", "bd_disk")));
            }
        }
        return out;
    }

    /** The subsys_private of the class named {@code name} on class_kset (Linux 6.4+). */
    private long subsysPrivate(String name) {
        long kset = k.ptr(k.requireSymbol("class_kset"));
        long entryOff = k.off("kobject", "entry");
        long subsysKobj = k.off("subsys_private", "subsys") + k.off("kset", "kobj");
        for (long node : Lists.listHead(k, kset + k.off("kset", "list"), ctx)) {
            long kobj = node - entryOff;
            String n = k.string(k.ptr(kobj + k.off("kobject", "name")), 256);
            if (name.equals(n)) return kobj - subsysKobj;
        }
        return 0;
    }

    private boolean isMq(long q) {
        return k.hasMember("request_queue", "mq_ops") && k.ptr(q + k.off("request_queue", "mq_ops")) != 0;
    }

    /** {read, write} requests in flight. */
    private long[] inFlight(long q, long gendisk) {
        long[] io = new long[2];
        if (isMq(q)) {
            if (!k.hasMember("request", "state")) throw new CommandException("-d: this blk-mq layout is not supported");
            for (long hctx : hwQueues(q)) tags(q, hctx, io);
            return io;
        }
        long stats;
        if (k.hasStruct("hd_struct") && k.hasMember("hd_struct", "dkstats")) {
            stats = k.ptr(gendisk + k.off("gendisk", "part0") + k.off("hd_struct", "dkstats"));
        } else {
            long bdev = k.ptr(gendisk + k.off("gendisk", "part0"));
            stats = k.ptr(bdev + k.off("block_device", "bd_stats"));
        }
        long off = k.off("disk_stats", "in_flight");
        for (int cpu = 0; cpu < k.cpus(); cpu++) {
            long at = stats + k.perCpuOffset(cpu) + off;
            io[0] += k.u64(at);
            io[1] += k.u64(at + 8);
        }
        return io;
    }

    private List<Long> hwQueues(long q) {
        List<Long> out = new ArrayList<>();
        if (k.hasMember("request_queue", "hctx_table")) {
            for (IndexedTree.Entry e : IndexedTree.xarray(k, q + k.off("request_queue", "hctx_table"), ctx)) out.add(e.value());
        } else {
            int n = (int) k.u32(q + k.off("request_queue", "nr_hw_queues"));
            long arr = k.ptr(q + k.off("request_queue", "queue_hw_ctx"));
            for (int i = 0; i < n && i < 4096; i++) out.add(k.ptr(arr + 8L * i));
        }
        return out;
    }

    private void tags(long q, long hctx, long[] io) {
        long tags = k.ptr(hctx + k.off("blk_mq_hw_ctx", "tags"));
        int reserved = (int) k.u32(tags + k.off("blk_mq_tags", "nr_reserved_tags"));
        boolean ptr = k.member("blk_mq_tags", "bitmap_tags").map(m -> m.type().resolve().kind() == Type.Kind.POINTER).orElse(false);
        if (reserved != 0) {
            long at = tags + k.off("blk_mq_tags", "breserved_tags");
            sbitmap(ptr ? k.ptr(at) : at, q, tags, true, reserved, io);
        }
        long at = tags + k.off("blk_mq_tags", "bitmap_tags");
        sbitmap(ptr ? k.ptr(at) : at, q, tags, false, reserved, io);
    }

    /** Every set (and not cleared) bit of the sbitmap_queue's sbitmap: a tag whose request may be in flight. */
    private void sbitmap(long sbq, long q, long tags, boolean reservedMap, int nrReserved, long[] io) {
        long sb = sbq + k.off("sbitmap_queue", "sb");
        int depth = (int) k.u32(sb + k.off("sbitmap", "depth"));
        int shift = (int) k.u32(sb + k.off("sbitmap", "shift"));
        int mapNr = (int) k.u32(sb + k.off("sbitmap", "map_nr"));
        long map = k.ptr(sb + k.off("sbitmap", "map"));
        long wordSize = k.requireSize("sbitmap_word");
        long wordOff = k.off("sbitmap_word", "word");
        long clearedOff = k.offset("sbitmap_word", "cleared").orElse(-1);
        long rqs = k.ptr(tags + k.off("blk_mq_tags", "rqs"));
        Set<Long> counted = new HashSet<>();
        int scanned = 0;
        for (int index = 0; index < mapNr && scanned < depth; index++) {
            int bitsPerWord = 1 << shift;
            int wordDepth = Math.min(index == mapNr - 1 ? depth - (index << shift) : bitsPerWord, depth - scanned);
            scanned += wordDepth;
            long w = k.u64(map + wordSize * index + wordOff);
            if (clearedOff >= 0) w &= ~k.u64(map + wordSize * index + clearedOff);
            for (int b = 0; b < wordDepth && b < 64; b++) {
                if ((w & (1L << b)) == 0) continue;
                int bitnr = (index << shift) + b + (reservedMap ? 0 : nrReserved);
                long rq = k.ptr(rqs + 8L * bitnr);
                if (rq == 0 || !counted.add(rq)) continue;
                try {
                    if (k.ptr(rq + k.off("request", "q")) != q) continue;
                    if (k.u32(rq + k.off("request", "state")) != MQ_RQ_IN_FLIGHT) continue;
                    long flags = k.u32(rq + k.off("request", "cmd_flags"));
                    io[(flags & 0xff & 1) != 0 ? 1 : 0]++;
                } catch (RuntimeException e) {
                    // an unreadable request is not counted, as crash
                }
            }
        }
    }
}
