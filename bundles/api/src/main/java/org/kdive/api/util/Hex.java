package org.kdive.api.util;

import org.kdive.api.command.CommandException;

/** Address formatting and parsing the way crash users type and read them. */
public final class Hex {
    private Hex() {
    }

    /** 16 hex digits, no prefix: "ffffffffc061907d". */
    public static String addr(long a) {
        return Columns.hex16(new StringBuilder(16), a).toString();
    }

    /**
     * The one form of an address in JSON output: a string "0x" + lower-case hex without leading
     * zeros ("0xffffffffc061907d"). Strings, because 64-bit kernel addresses do not fit a JSON
     * number that every reader takes exactly (JavaScript's doubles stop at 2^53).
     */
    public static String json(long a) {
        return "0x" + Long.toHexString(a);
    }

    /** Parses "0xffff…", "ffff…" (hex, as crash does for addresses) or a decimal with a "d" suffix is not supported. */
    public static long parseAddress(String s) {
        String t = s.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) t = t.substring(2);
        try {
            return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid address: " + s);
        }
    }

    /** True if the word looks like a hex address rather than a symbol name. */
    public static boolean looksLikeAddress(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (t.isEmpty() || t.length() > 16) return false;
        for (int i = 0; i < t.length(); i++) {
            if (Character.digit(t.charAt(i), 16) < 0) return false;
        }
        return s.startsWith("0x") || s.startsWith("0X") || t.length() >= 8 || t.chars().allMatch(Character::isDigit);
    }
}
