package org.kdive.cmd.symbols.expr;

import org.kdive.api.symbols.Type;

/** The parsed form of a C expression. */
public sealed interface Node {
    record Num(Type type, long bits) implements Node { }

    record Flt(double value) implements Node { }

    record Str(byte[] bytes) implements Node { }

    record Ident(String name) implements Node { }

    record History(String text) implements Node { }

    record Unary(String op, Node operand) implements Node { }

    record Binary(String op, Node left, Node right) implements Node { }

    record Ternary(Node condition, Node then, Node otherwise) implements Node { }

    record Cast(Type type, Node operand) implements Node { }

    record SizeofType(Type type) implements Node { }

    record SizeofExpr(Node operand) implements Node { }

    record Member(Node operand, String name, boolean arrow) implements Node { }

    record Index(Node operand, Node index) implements Node { }

    record ContainerOf(Node pointer, Type type, String member) implements Node { }

    record OffsetOf(Type type, String member) implements Node { }
}
