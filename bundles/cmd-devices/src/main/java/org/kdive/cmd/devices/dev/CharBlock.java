package org.kdive.cmd.devices.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.CommandContext;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;

/**
 * crash's dump_chrdevs and dump_blkdevs_v3: the registered character device majors (chrdevs[],
 * their cdev and file_operations) and block device majors (major_names[], their gendisk found through
 * bdev_map before 5.11, else through the block device inodes of blockdev_superblock).
 */
final class CharBlock {
    private static final int MAX_DEV = 255;
    private static final int MINORBITS = 20;

    private final Kern k;
    private final CommandContext ctx;

    CharBlock(Kern k, CommandContext ctx) {
        this.k = k;
        this.ctx = ctx;
    }

    String chrdevs(List<Object> rows) {
        long base = k.requireSymbol("chrdevs");
        StringBuilder sb = new StringBuilder("CHRDEV    NAME         ").append("  ")
                .append(Fmt.mk("CDEV", k.vaddrLen(), Fmt.CENTER)).append("  ")
                .append(Fmt.mk("OPERATIONS", k.vaddrLen(), Fmt.LJUST)).append('\n');
        long nextOff = k.off("char_device_struct", "next");
        for (int i = 0; i < MAX_DEV; i++) {
            long cd = k.ptr(base + 8L * i);
            if (cd == 0) continue;
            for (long c : Lists.chain(k, cd, nextOff, ctx)) sb.append(chrdev(c, c != cd, rows));
        }
        return sb.toString();
    }

    private String chrdev(long cd, boolean chained, List<Object> rows) {
        String name = name(cd, "char_device_struct", chained);
        int major = k.s32(cd + k.off("char_device_struct", "major"));
        int minor = k.s32(cd + k.off("char_device_struct", "baseminor"));
        long cdev = 0;
        long fops = 0;
        if (k.hasMember("char_device_struct", "cdev") && k.hasStruct("cdev")) {
            cdev = k.ptr(cd + k.off("char_device_struct", "cdev"));
            if (cdev != 0) fops = k.ptr(cdev + k.off("cdev", "ops"));
        } else if (k.hasMember("char_device_struct", "fops")) {
            fops = k.ptr(cd + k.off("char_device_struct", "fops"));
        }
        if (fops == 0) {
            long[] found = cdevMapProbe(major, minor);
            fops = found[0];
            if (fops != 0) cdev = found[1];
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("major", major);
        r.put("name", name);
        r.put("cdev", fops == 0 || cdev == 0 ? null : Hex.json(cdev));
        r.put("operations", fops == 0 ? null : Hex.json(fops));
        rows.add(r);
        StringBuilder sb = new StringBuilder(String.format(" %3d      %-13s ", major, name));
        if (fops == 0) return sb.append(' ').append(Fmt.mk("(none)", k.vaddrLen(), Fmt.CENTER)).append('\n').toString();
        String sym = k.symstr(fops);
        sb.append(' ').append(Fmt.right(Fmt.hex(cdev), k.vaddrLen())).append("  ").append(sym.isEmpty() ? Fmt.hex(fops) : sym);
        r.put("symbol", sym.isEmpty() ? null : sym);
        return sb.append('\n').toString();
    }

    /** A name member held in place (char[64]) or by pointer; "(unknown)" when unreadable in a chain. */
    private String name(long at, String struct, boolean chained) {
        Type t = k.member(struct, "name").map(m -> m.type().resolve()).orElse(null);
        long off = k.off(struct, "name");
        if (t != null && t.kind() == Type.Kind.ARRAY) return k.inlineString(at + off, (int) Math.max(t.count() - 1, 1));
        String s = k.string(k.ptr(at + off), 1024);
        return s == null ? (chained ? "(unknown)" : "") : s;
    }

    /** crash's search_cdev_map_probes: {fops, cdev} of the probe for major:minor in cdev_map. */
    private long[] cdevMapProbe(int major, int minor) {
        if (!k.hasSymbol("cdev_map") || major < 0 || major >= MAX_DEV) return new long[] {0, 0};
        try {
            long map = k.ptr(k.requireSymbol("cdev_map"));
            long first = k.ptr(map + k.off("kobj_map", "probes") + 8L * major);
            for (long p : Lists.chain(k, first, k.off("probe", "next"), ctx)) {
                long dev = k.u32(p + k.off("probe", "dev"));
                if ((dev >>> MINORBITS) == major && (dev & ((1 << MINORBITS) - 1)) == minor) {
                    long data = k.ptr(p + k.off("probe", "data"));
                    return new long[] {k.ptr(data + k.off("cdev", "ops")), data};
                }
            }
        } catch (RuntimeException e) {
            // crash reads quietly and finds nothing
        }
        return new long[] {0, 0};
    }

    String blkdevs(List<Object> rows) {
        StringBuilder sb = new StringBuilder("BLKDEV    NAME         ").append("  ")
                .append(Fmt.mk("GENDISK", k.vaddrLen(), Fmt.CENTER | Fmt.RJUST)).append("  ")
                .append(Fmt.mk("OPERATIONS", k.vaddrLen(), Fmt.LJUST)).append('\n');
        long len = k.arrayLength("major_names");
        if (len <= 0) len = MAX_DEV;
        long base = k.requireSymbol("major_names");
        boolean bdevMap = k.hasSymbol("bdev_map");
        List<long[]> inodeDisks = bdevMap ? null : blockdevDisks();
        for (int i = 0; i < len; i++) {
            ctx.checkCancelled();
            long bmn = k.ptr(base + 8L * i);
            if (bmn == 0) continue;
            int major = (int) k.u32(bmn + k.off("blk_major_name", "major"));
            String name = k.inlineString(bmn + k.off("blk_major_name", "name"), 16);
            long[] found = bdevMap ? bdevMapProbe(major == i ? major : i) : byMajor(inodeDisks, major);
            long gendisk = found[1];
            long fops = found[0];
            String shown = name.isEmpty() ? "(unknown)" : name;
            sb.append(String.format(" %3d      %-13s ", major, shown));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("major", major);
            r.put("name", name);
            r.put("gendisk", fops == 0 ? null : Hex.json(gendisk));
            r.put("operations", fops == 0 ? null : Hex.json(fops));
            rows.add(r);
            if (fops == 0) {
                sb.append(' ').append(Fmt.mk("(none)", k.vaddrLen(), Fmt.CENTER)).append('\n');
                continue;
            }
            String sym = k.symstr(fops);
            r.put("symbol", sym.isEmpty() ? null : sym);
            sb.append(' ').append(Fmt.right(Fmt.hex(gendisk), k.vaddrLen())).append("  ").append(sym.isEmpty() ? Fmt.hex(fops) : sym).append('\n');
        }
        return sb.toString();
    }

    /** {fops, gendisk} from bdev_map's probes of a major (kernels before 5.11). */
    private long[] bdevMapProbe(int major) {
        try {
            long map = k.ptr(k.requireSymbol("bdev_map"));
            if (major < 0 || major >= MAX_DEV) return new long[] {0, 0};
            long first = k.ptr(map + k.off("kobj_map", "probes") + 8L * major);
            for (long p : Lists.chain(k, first, k.off("probe", "next"), ctx)) {
                long data = k.ptr(p + k.off("probe", "data"));
                if (data == 0) continue;
                long dev = k.u32(p + k.off("probe", "dev"));
                if ((dev >>> MINORBITS) != major) continue;
                long fops = k.ptr(data + k.off("gendisk", "fops"));
                if (fops != 0) return new long[] {fops, data};
            }
        } catch (RuntimeException e) {
            // crash reads quietly
        }
        return new long[] {0, 0};
    }

    /** {gendisk, major, fops} of every block device inode of blockdev_superblock, in list order (5.11+). */
    private List<long[]> blockdevDisks() {
        List<long[]> out = new java.util.ArrayList<>();
        try {
            long sb = k.ptr(k.requireSymbol("blockdev_superblock"));
            long head = sb + k.off("super_block", "s_inodes");
            long bdevSize = k.requireSize("block_device");
            long sbList = k.off("inode", "i_sb_list");
            for (long node : Lists.listHead(k, head, ctx)) {
                long inode = node - sbList;
                try {
                    long disk = k.ptr(inode - bdevSize + k.off("block_device", "bd_disk"));
                    if (disk == 0) continue;
                    out.add(new long[] {disk, k.s32(disk + k.off("gendisk", "major")), k.ptr(disk + k.off("gendisk", "fops"))});
                } catch (RuntimeException e) {
                    // skip unreadable inodes, as crash does
                }
            }
        } catch (RuntimeException e) {
            // no blockdev_superblock: nothing found
        }
        return out;
    }

    private static long[] byMajor(List<long[]> disks, int major) {
        for (long[] d : disks) {
            if (d[1] == major && d[2] != 0) return new long[] {d[2], d[0]};
        }
        return new long[] {0, 0};
    }
}
