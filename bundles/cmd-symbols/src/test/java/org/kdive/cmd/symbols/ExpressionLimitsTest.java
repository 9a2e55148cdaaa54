package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.test.session.CorpusSession;

/**
 * Issue 14 §6: 2000 nested parentheses threw StackOverflowError into the log. Nesting and length are
 * bounded with a clear error; expressions as deep as people write them still evaluate.
 */
class ExpressionLimitsTest {
    private static String p(String expr) {
        SessionEnv.history(CorpusSession.get()).clear();
        return CorpusSession.run(new PrintCommand(), expr).strip();
    }

    @Test
    void twoThousandParenthesesAreAnErrorNotAStackOverflow() {
        var e = assertThrows(CommandException.class, () -> p("(".repeat(2000) + "1" + ")".repeat(2000)));
        assertEquals("Expression nested too deeply (parentheses, casts and unary operators).", e.getMessage());
        assertEquals("$1 = 1", p("(".repeat(100) + "1" + ")".repeat(100)));
    }

    /** Found by ExpressionFuzzTest (crash-3e79… in its inputs): "$$$" escaped as a NumberFormatException. */
    @Test
    void historyTokensThatAreNoNumberAreSyntaxErrors() {
        assertEquals("A syntax error in expression, near `$$$'.", assertThrows(CommandException.class, () -> p("++$$$")).getMessage());
        assertEquals("A syntax error in expression, near `$$99999999999'.",
                assertThrows(CommandException.class, () -> p("$$99999999999")).getMessage());
    }

    @Test
    void longChainsOfOperatorsAreBoundedToo() {
        assertEquals("Expression nested too deeply (parentheses, casts and unary operators).",
                assertThrows(CommandException.class, () -> p("-".repeat(5000) + "1")).getMessage());
        assertEquals("Expression too long (more than 1000 operators).",
                assertThrows(CommandException.class, () -> p("1" + "+1".repeat(100_000))).getMessage());
        assertEquals("Expression too long (more than 1000 operators).",
                assertThrows(CommandException.class, () -> p("1" + "?1:1".repeat(100_000))).getMessage());
        assertEquals("$1 = 500", p("1" + "+1".repeat(499)));
    }
}
