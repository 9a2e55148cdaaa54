package org.kdive.cmd.kernel.vfs;

import java.util.ArrayList;
import java.util.List;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.commands.ListCommand;

/**
 * The mounts of a task's mount namespace (Linux 3.3+: struct mount on mnt_namespace.list; 6.8+: on
 * the mnt_namespace.mounts rb-tree, in mount-id order), in crash's order: from the namespace's root
 * mount to the end. Which one is read follows from the debuginfo's struct mnt_namespace.
 */
public final class Mounts {
    /** One mount: struct mount, its super_block, filesystem type, device name and mountpoint path. */
    public record MountInfo(long mount, long superBlock, String type, String devname, String dirname) {
    }

    private final Kernel k;
    private final DentryPath paths;
    private String problem;

    public Mounts(Kernel k) {
        this.k = k;
        this.paths = new DentryPath(k);
    }

    /** The mounts seen by {@code task}; null names where the strings cannot be read. */
    public List<MountInfo> of(long task) {
        long nsproxy = k.u64(task + k.requireOffset("task_struct", "nsproxy"));
        long ns = k.u64(nsproxy + k.requireOffset("nsproxy", "mnt_ns"));
        long root = k.u64(ns + k.requireOffset("mnt_namespace", "root"));
        List<Long> all = new ArrayList<>();
        if (k.hasMember("mnt_namespace", "mounts") && k.hasMember("mount", "mnt_node")) {
            // 6.8+: the namespace keeps its mounts in an rb-tree by mount id (mnt_namespace.mounts)
            long nodeOff = k.requireOffset("mount", "mnt_node");
            org.kdive.cmd.kernel.access.RbTree tree = org.kdive.cmd.kernel.access.RbTree.walk(k,
                    k.u64(ns + k.requireOffset("mnt_namespace", "mounts")));
            for (long node : tree.nodes()) all.add(node - nodeOff);
            problem = tree.problem();
        } else {
            problem = ListCommand.walk(k, ns + k.requireOffset("mnt_namespace", "list"), k.requireOffset("mount", "mnt_list"),
                    true, false, 0, all);
        }
        int from = all.indexOf(root);
        List<MountInfo> out = new ArrayList<>();
        for (long m : from < 0 ? all : all.subList(from, all.size())) out.add(info(m));
        return out;
    }

    /** Why the mount list walk ended early, or null. */
    public String problem() { return problem; }

    private MountInfo info(long mount) {
        long mntOffset = k.requireOffset("mount", "mnt");
        long sb = k.u64(mount + mntOffset + k.requireOffset("vfsmount", "mnt_sb"));
        String type = string(() -> k.u64(k.u64(sb + k.requireOffset("super_block", "s_type"))
                + k.requireOffset("file_system_type", "name")));
        String dev = string(() -> k.u64(mount + k.requireOffset("mount", "mnt_devname")));
        long mountpoint = k.u64(mount + k.requireOffset("mount", "mnt_mountpoint"));
        long parent = k.u64(mount + k.requireOffset("mount", "mnt_parent"));
        String dir;
        try {
            dir = paths.of(mountpoint, parent + mntOffset);
        } catch (RuntimeException e) {
            dir = "";
        }
        return new MountInfo(mount, sb, type, dev, dir);
    }

    private interface Pointer {
        long read();
    }

    private String string(Pointer p) {
        try {
            long addr = p.read();
            return addr == 0 ? null : k.memory().cString(addr, 4096);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
