package org.kdive.cmd.memory;

import org.kdive.api.command.CommandException;

/** crash's number parsing: htoll (hex, "0x" optional) and stoll (decimal if it reads as one, else hex). */
final class Numbers {
    private Numbers() {
    }

    static long hex(String cmd, String s) {
        String w = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (!w.matches("[0-9a-fA-F]{1,16}")) throw new CommandException("invalid input string: " + s, CommandException.USAGE);
        return Long.parseUnsignedLong(w, 16);
    }

    static long number(String cmd, String s) {
        if (s.matches("\\d{1,20}")) {
            try {
                return Long.parseUnsignedLong(s);
            } catch (NumberFormatException e) {
                throw new CommandException("not a valid number: " + s, CommandException.USAGE);
            }
        }
        String w = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (w.matches("[0-9a-fA-F]{1,16}")) return Long.parseUnsignedLong(w, 16);
        throw new CommandException("not a valid number: " + s, CommandException.USAGE);
    }
}
