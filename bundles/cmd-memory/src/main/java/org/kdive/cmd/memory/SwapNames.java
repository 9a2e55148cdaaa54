package org.kdive.cmd.memory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/** The path of swap area N (swap_info[N]->swap_file), as crash's get_swapdev names it. */
final class SwapNames {
    private static final String UNKNOWN = "(unknown swap location)";
    private final Session s;

    SwapNames(Session s) {
        this.s = s;
    }

    /** The device's path; crash's "(unknown swap location)" when there is none; null when the kernel has no swap_info. */
    String device(long type) {
        Optional<Symbol> info = s.symbols().first("swap_info");
        if (info.isEmpty() || s.symbols().first("nr_swapfiles").isEmpty()) return null;
        try {
            long len = s.symbols().variable("swap_info").map(v -> v.type().resolve()).filter(t -> t.kind() == Type.Kind.ARRAY)
                    .map(Type::count).orElse(-1L);
            if (type < 0 || (len > 0 && type >= len)) return UNKNOWN;
            Memory m = s.memory();
            long si = m.u64(info.get().address() + 8 * type);
            if (si == 0) return UNKNOWN;
            long file = m.u64(si + off("struct swap_info_struct", "swap_file"));
            if (file == 0) return UNKNOWN;
            long dentry = m.u64(file + off("struct file", "f_path") + off("struct path", "dentry"));
            long mnt = m.u64(file + off("struct file", "f_path") + off("struct path", "mnt"));
            return path(dentry, mnt);
        } catch (RuntimeException e) {
            return UNKNOWN;
        }
    }

    private long off(String type, String member) {
        return s.symbols().type(type).map(Type::resolve).flatMap(t -> t.member(member)).map(Member::offset)
                .orElseThrow(() -> new IllegalStateException("no " + type + "." + member));
    }

    /** d_name components up to the mount roots. */
    private String path(long dentry, long vfsmnt) {
        Memory m = s.memory();
        long dParent = off("struct dentry", "d_parent");
        long dName = off("struct dentry", "d_name");
        long qLen = off("struct qstr", "len");
        long qName = off("struct qstr", "name");
        long mntOff = off("struct mount", "mnt");
        String path = "";
        long cur = dentry;
        long mnt = vfsmnt;
        for (int n = 0; n < 4096; n++) {
            int len = (int) m.u32(cur + dName + qLen);
            if (len <= 0) break;
            byte[] b = m.read(m.u64(cur + dName + qName), Math.min(len, 4096));
            String name = new String(b, StandardCharsets.UTF_8);
            path = cur == dentry ? name : name.equals("/") ? name + path : name + "/" + path;
            long parent = m.u64(cur + dParent);
            if (parent == cur) {
                if (path.startsWith("//")) path = path.substring(1);
                long mount = mnt - mntOff;
                long mntParent = m.u64(mount + off("struct mount", "mnt_parent"));
                if (mnt == 0 || mntParent == mount) break;
                parent = m.u64(mount + off("struct mount", "mnt_mountpoint"));
                mnt = mntParent + mntOff;
            }
            cur = parent;
        }
        return path;
    }
}
