package org.kdive.api.util;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Dates as crash prints them ("Thu Nov 26 21:43:37 UTC 2026"). In UTC, the zone of most servers,
 * they are put together here: a DateTimeFormatter's first use loads the JDK's locale data for the
 * day, month and zone names, ~8 ms of a run that prints one date. Other zones take the formatter.
 */
public final class CtimeFormat {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};

    private CtimeFormat() {
    }

    /** "EEE MMM ppd HH:mm:ss zzz yyyy" (the day of the month padded with a blank, as C's ctime). */
    public static String ctime(Instant at, ZoneId zone) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, ZoneOffset.UTC);
        if (isUtc(zone) && plainYear(t)) return format(t, true);
        return ZonedDateTime.ofInstant(at, zone).format(Lazy.CTIME);
    }

    /** "EEE MMM d HH:mm:ss 'UTC' yyyy": the time in UTC, the day of the month unpadded. */
    public static String utc(Instant at) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, ZoneOffset.UTC);
        return plainYear(t) ? format(t, false) : Lazy.UTC.format(t);
    }

    /**
     * What {@code Instant.ofEpochSecond(seconds).toString()} gives ("2026-11-26T21:43:37Z"), put
     * together here for four-digit years: Instant's own goes through a DateTimeFormatter, whose
     * class set-up is ~2 ms of a run that formats one date (the typed output of sys and dumpinfo).
     */
    public static String iso(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        if (!plainYear(t)) return Instant.ofEpochSecond(epochSecond).toString();
        StringBuilder sb = new StringBuilder(20).append(t.getYear()).append('-');
        two(sb, t.getMonthValue()).append('-');
        two(sb, t.getDayOfMonth()).append('T');
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        return two(sb, t.getSecond()).append('Z').toString();
    }

    /** The zones the formatter names "UTC". */
    private static boolean isUtc(ZoneId zone) {
        String id = zone.getId();
        return id.equals("UTC") || id.equals("Etc/UTC");
    }

    /** Years the formatter prints as four digits and nothing else. */
    private static boolean plainYear(LocalDateTime t) {
        return t.getYear() >= 1000 && t.getYear() <= 9999;
    }

    private static String format(LocalDateTime t, boolean padDay) {
        StringBuilder sb = new StringBuilder(28);
        sb.append(DAYS[t.getDayOfWeek().ordinal()]).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
        int day = t.getDayOfMonth();
        if (day < 10 && padDay) sb.append(' ');
        sb.append(day).append(' ');
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond()).append(" UTC ").append(t.getYear());
        return sb.toString();
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** The formatters, made only when a date needs one. */
    private static final class Lazy {
        static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss zzz yyyy", Locale.ROOT);
        static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss 'UTC' yyyy", Locale.ROOT);
    }
}
