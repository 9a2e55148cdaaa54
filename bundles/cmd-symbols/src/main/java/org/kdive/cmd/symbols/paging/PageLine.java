package org.kdive.cmd.symbols.paging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.format.Columns;
import org.kdive.cmd.symbols.types.OffsetLayout;

/** The struct page of a physical page as crash's `kmem -p` line shows it (vtop ends with it). */
public record PageLine(long page, long physical, long mapping, long index, long count, long flags, List<String> flagNames) {
    public static final String HEADER = Columns.center("PAGE", 16) + " " + String.format("%8s", "PHYSICAL") + " "
            + Columns.centerRight("MAPPING", 16) + " " + Columns.centerRight("INDEX", 8) + "CNT FLAGS\n";

    private static final String KEY = "cmd-symbols.page-layout";

    /** Offsets in struct page, -1 where the member is missing. */
    record PageLayout(long flags, long mapping, long index, long refcount) {
        static PageLayout of(Session s) {
            return s.cached(KEY, () -> {
                Optional<Type> page = s.symbols().type("struct page");
                if (page.isEmpty()) return new PageLayout(0, 24, 32, 52); // 6.x defaults
                Type t = page.get();
                return new PageLayout(offset(t, "flags"), offset(t, "mapping"), offset(t, "index"), offset(t, "_refcount"));
            });
        }

        private static long offset(Type t, String member) {
            return OffsetLayout.findMember(t, member).map(Member::offset).orElse(-1L);
        }
    }

    /** The line for the page holding {@code physical}, or null when it has no readable struct page. */
    public static PageLine read(Session s, long physical) {
        long page = s.arch().addressSpace(s).pageStruct(physical);
        if (page == -1) return null;
        PageLayout l = PageLayout.of(s);
        try {
            long flags = l.flags() < 0 ? 0 : s.memory().u64(page + l.flags());
            long mapping = l.mapping() < 0 ? 0 : s.memory().u64(page + l.mapping());
            long index = l.index() < 0 ? 0 : s.memory().u64(page + l.index());
            long count = l.refcount() < 0 ? 0 : s.memory().u32(page + l.refcount());
            return new PageLine(page, physical & ~0xfffL, mapping, index, count, flags, PageFlags.of(s).names(flags));
        } catch (KdiveException e) {
            return null;
        }
    }

    public String text() {
        String names = flagNames.isEmpty() ? "" : " " + String.join(",", flagNames);
        return String.format("%-16x %8x %16x %8x %2d %x%s\n", page, physical, mapping, index, (int) count, flags, names);
    }

    public Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("page", hex(page));
        m.put("physical", hex(physical));
        m.put("mapping", hex(mapping));
        m.put("index", index);
        m.put("count", (int) count);
        m.put("flags", hex(flags));
        m.put("flag_names", flagNames);
        return m;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
