package org.kdive.cmd.symbols;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.kdive.api.KdiveException;
import org.kdive.test.session.CorpusSession;

/**
 * Coverage-guided fuzzing (Jazzer) of the expression parser and evaluator: `p EXPR` on the corpus session.
 * Seeds in src/test/resources/org/kdive/cmd/symbols/ExpressionFuzzTestInputs/expression: expressions of the
 * crash references and ExpressionTest (casts, container_of, arrays, history). Only kdive's typed errors may
 * escape (a bad expression, an unreadable address): no StackOverflowError, no other RuntimeException.
 */
class ExpressionFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void expression(String expr) {
        if (expr == null || expr.isBlank()) return;
        try {
            SessionEnv.history(CorpusSession.get()).clear();
            CorpusSession.run(new PrintCommand(), expr);
        } catch (KdiveException e) {
            // said what is wrong
        }
    }
}
