package org.kdive.cmd.process.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.process.access.Columns;
import org.kdive.cmd.process.access.Layout;
import org.kdive.cmd.process.access.PathNames;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `swap`: each swap area in use (swap_info[0 .. nr_swapfiles) with SWP_USED): its
 * swap_info_struct, partition or file, size, pages in use, priority and path.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=swap")
public final class SwapCommand implements Command {
    static final String HEADER = "SWAP_INFO_STRUCT    TYPE       SIZE       USED     PCT  PRI  FILENAME\n";
    private static final long SWP_USED = 1;
    /** S_IFMT and S_IFBLK of inode.i_mode. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    @Override public String name() { return "swap"; }

    @Override public String description() { return "swap device information"; }

    @Override
    public String usage() {
        return """
                swap - swap device information
                swap
                  Each swap area the kernel uses: its swap_info_struct, whether it is a partition or a
                  file, its size and the part in use (KiB and percent), its priority and its path.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (!args.isEmpty()) throw new CommandException("Usage: swap", CommandException.USAGE);
        Session s = context.session();
        Layout k = Layout.of(s);
        long nrAddr = k.symbol("nr_swapfiles").orElseThrow(() -> new CommandException("nr_swapfiles doesn't exist in this kernel!"));
        long swapInfo = k.symbol("swap_info").orElseThrow(() -> new CommandException("swap_info doesn't exist in this kernel!"));
        int nr = (int) k.u32(nrAddr);
        PathNames paths = new PathNames(k);
        int kb = k.pageSize() / 1024;
        StringBuilder sb = new StringBuilder(HEADER);
        List<Object> rows = new ArrayList<>();
        long totalPages = 0;
        long totalUsed = 0;
        for (int i = 0; i < Math.min(nr, 1 << 10); i++) {
            context.checkCancelled();
            long si;
            try {
                si = k.u64(swapInfo + 8L * i);
            } catch (RuntimeException e) {
                continue;
            }
            if (si == 0) continue;
            long flags = k.read(si, "swap_info_struct", "flags");
            if ((flags & SWP_USED) == 0) continue;
            long file = k.pointer(si, "swap_info_struct", "swap_file");
            boolean partition = partition(k, si, file);
            long pages = k.s32(si + k.requireOffset("swap_info_struct", "pages"));
            long prio = signed(k.read(si, "swap_info_struct", "prio"), k.memberSize("swap_info_struct", "prio"));
            long used = k.hasMember("swap_info_struct", "inuse_pages") ? k.read(si, "swap_info_struct", "inuse_pages") : 0;
            String path = file == 0 ? "(unknown)" : devPath(k, paths, file);
            totalPages += pages;
            totalUsed += used;
            long sizeKb = pages * kb;
            long usedKb = used * kb;
            long pct = sizeKb == 0 ? 0 : usedKb * 100 / sizeKb;
            sb.append(Columns.center(Long.toHexString(si), 16, false)).append("  ").append(partition ? "PARTITION" : "  FILE   ").append(' ')
                    .append(Columns.center(sizeKb + "k", 10, true)).append(' ').append(Columns.center(usedKb + "k", 10, true)).append(' ')
                    .append(Columns.center(String.format("%2d%%", pct), 4, true)).append(' ').append(Columns.right(Long.toString(prio), 4))
                    .append("  ").append(path).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("swap_info_struct", Hex.json(si));
            r.put("type", partition ? "partition" : "file");
            r.put("size_kb", sizeKb);
            r.put("used_kb", usedKb);
            r.put("percent", pct);
            r.put("priority", prio);
            r.put("filename", path);
            rows.add(r);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("swap_areas", rows);
        d.put("total_pages", totalPages);
        d.put("used_pages", totalUsed);
        return Result.of(sb.toString(), d);
    }

    private static long signed(long v, long size) {
        return size == 2 ? (short) v : size == 4 ? (int) v : v;
    }

    /** Partition or file: swap_info_struct.swap_device/old_block_size before 6.10, the file's inode mode after. */
    private static boolean partition(Layout k, long si, long file) {
        if (k.hasMember("swap_info_struct", "swap_device")) return k.s32(si + k.requireOffset("swap_info_struct", "swap_device")) != 0;
        if (k.hasMember("swap_info_struct", "old_block_size")) return k.s32(si + k.requireOffset("swap_info_struct", "old_block_size")) != 0;
        if (file == 0) return false;
        long inode = k.pointer(file, "file", "f_inode");
        int mode = k.memory().u16(inode + k.requireOffset("inode", "i_mode"));
        return (mode & S_IFMT) == S_IFBLK;
    }

    /** The swap file's path; a devtmpfs path gets its /dev back, as crash prints it. */
    private static String devPath(Layout k, PathNames paths, long file) {
        String p = paths.ofFile(file);
        long mnt = k.u64(file + k.requireOffset("file", "f_path.mnt"));
        String dev = "";
        try {
            long mount = mnt - k.requireOffset("mount", "mnt");
            long name = k.pointer(mount, "mount", "mnt_devname");
            dev = name == 0 ? "" : k.memory().cString(name, 256);
        } catch (RuntimeException e) {
            // no devname: path as it is
        }
        if ((dev.equals("devtmpfs") || dev.equals("udev")) && !p.startsWith("/dev/")) p = "/dev" + p;
        return p;
    }
}
