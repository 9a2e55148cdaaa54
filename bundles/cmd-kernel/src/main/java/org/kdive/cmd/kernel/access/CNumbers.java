package org.kdive.cmd.kernel.access;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Numbers printed as crash's C printf prints them. */
public final class CNumbers {
    private CNumbers() {
    }

    /**
     * printf("%.1f"): glibc rounds the exact binary value, and an exact tie to even (9.25 → "9.2"),
     * where Java's Formatter rounds ties up ("9.3").
     */
    public static String oneDecimal(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return String.format("%.1f", v);
        return new BigDecimal(v).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
    }
}
