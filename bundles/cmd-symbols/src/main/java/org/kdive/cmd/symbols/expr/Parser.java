package org.kdive.cmd.symbols.expr;

import java.util.List;
import java.util.Set;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.expr.Lexer.Kind;
import org.kdive.cmd.symbols.expr.Lexer.Token;
import org.kdive.cmd.symbols.types.Synthetic;

/** Recursive-descent parser for C expressions with gdb's extras ($N history, @ arrays). */
public final class Parser {
    private static final Set<String> BASE_WORDS = Set.of("unsigned", "signed", "int", "long", "short", "char", "void",
            "_Bool", "float", "double");
    private static final Set<String> QUALIFIERS = Set.of("const", "volatile", "restrict", "__restrict");
    /**
     * Bounds on what one expression may build: nesting (parentheses, unary operators, casts) recurses in
     * the parser, and every operator adds a level to the tree the evaluator recurses over; beyond these a
     * deep input would overflow the stack instead of getting an answer.
     */
    static final int MAX_NESTING = 256, MAX_OPERATORS = 1000;

    private final List<Token> tokens;
    private final TypeNames types;
    private int pos;
    private int nesting, operators;

    private Parser(List<Token> tokens, TypeNames types) {
        this.tokens = tokens;
        this.types = types;
    }

    public static Node parse(String text, TypeNames types) {
        Parser p = new Parser(Lexer.tokenize(text), types);
        if (p.peek().kind() == Kind.END) throw new CommandException("Argument required (expression to compute).");
        Node n = p.expression();
        if (p.peek().kind() != Kind.END) throw p.syntaxError();
        return n;
    }

    /** Parses a whole text as a type name ("struct foo *", "unsigned long"); null if it is not one. */
    public static Type parseType(String text, TypeNames types) {
        Parser p = new Parser(Lexer.tokenize(text), types);
        if (!p.startsType()) return null;
        Type t = p.typeName();
        return p.peek().kind() == Kind.END ? t : null;
    }

    private Token peek() { return tokens.get(pos); }

    private Token peek(int ahead) { return tokens.get(Math.min(pos + ahead, tokens.size() - 1)); }

    private Token next() { return tokens.get(pos++); }

    private boolean accept(String punct) {
        if (peek().is(punct)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String punct) {
        if (!accept(punct)) throw syntaxError();
    }

    private CommandException syntaxError() {
        Token t = peek();
        return new CommandException(t.kind() == Kind.END ? "A syntax error in expression, near `'."
                : "A syntax error in expression, near `" + remaining(t) + "'.");
    }

    private String remaining(Token t) {
        StringBuilder sb = new StringBuilder();
        for (int i = tokens.indexOf(t); i < tokens.size() - 1; i++) {
            if (sb.length() > 0 && tokens.get(i).pos() > tokens.get(i - 1).pos() + tokens.get(i - 1).text().length()) sb.append(' ');
            sb.append(tokens.get(i).text());
        }
        return sb.toString();
    }

    Node expression() {
        enter();
        Node n = ternary();
        while (accept(",")) n = new Node.Binary(",", operator(n), ternary());
        nesting--;
        return n;
    }

    private void enter() {
        if (++nesting > MAX_NESTING) {
            throw new CommandException("Expression nested too deeply (parentheses, casts and unary operators).");
        }
        operator(null);
    }

    /** Counts one more operator (its left operand passes through). */
    private Node operator(Node left) {
        if (++operators > MAX_OPERATORS) {
            throw new CommandException("Expression too long (more than " + MAX_OPERATORS + " operators).");
        }
        return left;
    }

    private Node ternary() {
        Node c = binary(0);
        if (accept("?")) {
            operator(null);
            Node a = expression();
            expect(":");
            Node b = ternary();
            return new Node.Ternary(c, a, b);
        }
        return c;
    }

    private static final String[][] LEVELS = {
        {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"@"}, {"+", "-"},
        {"*", "/", "%"},
    };

    private Node binary(int level) {
        if (level == LEVELS.length) return unary();
        Node left = binary(level + 1);
        while (true) {
            String op = null;
            for (String cand : LEVELS[level]) {
                if (peek().is(cand)) op = cand;
            }
            if (op == null) return left;
            pos++;
            left = new Node.Binary(op, operator(left), binary(level + 1));
        }
    }

    private Node unary() {
        enter();
        Node n = unaryNested();
        nesting--;
        return n;
    }

    private Node unaryNested() {
        Token t = peek();
        if (t.kind() == Kind.PUNCT) {
            switch (t.text()) {
                case "-", "+", "!", "~", "*", "&" -> {
                    pos++;
                    return new Node.Unary(t.text(), unary());
                }
                case "(" -> {
                    if (startsTypeAt(pos + 1)) {
                        pos++;
                        Type type = typeName();
                        expect(")");
                        return new Node.Cast(type, unary());
                    }
                }
                default -> { }
            }
        }
        if (t.kind() == Kind.IDENT && t.text().equals("sizeof")) {
            pos++;
            if (peek().is("(") && startsTypeAt(pos + 1)) {
                pos++;
                Type type = typeName();
                expect(")");
                return new Node.SizeofType(type);
            }
            return new Node.SizeofExpr(unary());
        }
        return postfix(primary());
    }

    private Node postfix(Node n) {
        while (true) {
            if (accept("[")) {
                Node i = expression();
                expect("]");
                n = new Node.Index(operator(n), i);
            } else if (accept(".")) {
                n = new Node.Member(operator(n), ident(), false);
            } else if (accept("->")) {
                n = new Node.Member(operator(n), ident(), true);
            } else {
                return n;
            }
        }
    }

    private String ident() {
        Token t = next();
        if (t.kind() != Kind.IDENT) {
            pos--;
            throw syntaxError();
        }
        return t.text();
    }

    private Node primary() {
        Token t = next();
        switch (t.kind()) {
            case NUMBER:
                return number(t);
            case FLOAT:
                return new Node.Flt(Double.longBitsToDouble(t.value()));
            case CHAR:
                return new Node.Num(Synthetic.CHAR, t.value());
            case STRING:
                return new Node.Str(t.bytes());
            case HISTORY:
                return new Node.History(t.text());
            case IDENT:
                return identifier(t);
            case PUNCT:
                if (t.is("(")) {
                    Node n = expression();
                    expect(")");
                    return n;
                }
                pos--;
                throw syntaxError();
            default:
                pos--;
                throw syntaxError();
        }
    }

    private Node identifier(Token t) {
        String name = t.text();
        if ((name.equals("container_of") || name.equals("offsetof")) && peek().is("(")) {
            pos++;
            Node ptr = null;
            if (name.equals("container_of")) {
                ptr = ternary();
                expect(",");
            }
            if (!startsType()) throw new CommandException(name + ": expected a type, near `" + remaining(peek()) + "'.");
            Type type = typeName();
            expect(",");
            StringBuilder member = new StringBuilder(ident());
            while (peek().is(".") || peek().is("[")) {
                if (accept(".")) {
                    member.append('.').append(ident());
                } else {
                    pos++;
                    Token idx = next();
                    if (idx.kind() != Kind.NUMBER) throw syntaxError();
                    expect("]");
                    member.append('[').append(idx.value()).append(']');
                }
            }
            expect(")");
            return name.equals("offsetof") ? new Node.OffsetOf(type, member.toString())
                    : new Node.ContainerOf(ptr, type, member.toString());
        }
        // module:symbol, only when the prefix names a loaded module and no space surrounds ':'
        if (peek().is(":") && peek(1).kind() == Kind.IDENT && peek().pos() == t.pos() + name.length()
                && peek(1).pos() == peek().pos() + 1 && types.isModule(name)) {
            pos++;
            return new Node.Ident(name + ":" + next().text());
        }
        return new Node.Ident(name);
    }

    /** gdb's choice of type for an integer literal. */
    private static Node number(Token t) {
        long n = t.value();
        boolean fitsInt = t.longSuffix() == 0 && (n >>> 32) == 0;
        Type type;
        if (fitsInt) {
            type = t.unsignedSuffix() || (n & 0x80000000L) != 0 ? Synthetic.UINT : Synthetic.INT;
        } else if (t.longSuffix() <= 1) {
            type = t.unsignedSuffix() || n < 0 ? Synthetic.ULONG : Synthetic.LONG;
        } else {
            type = t.unsignedSuffix() || n < 0 ? Synthetic.ULONGLONG : Synthetic.LONGLONG;
        }
        return new Node.Num(type, n);
    }

    private boolean startsType() { return startsTypeAt(pos); }

    private boolean startsTypeAt(int i) {
        Token t = tokens.get(Math.min(i, tokens.size() - 1));
        if (t.kind() != Kind.IDENT) return false;
        String w = t.text();
        if (w.equals("struct") || w.equals("union") || w.equals("enum") || BASE_WORDS.contains(w) || QUALIFIERS.contains(w)) return true;
        Token after = tokens.get(Math.min(i + 1, tokens.size() - 1));
        return (after.is(")") || after.is("*") || after.is(",") || after.kind() == Kind.END
                || (after.kind() == Kind.IDENT && QUALIFIERS.contains(after.text())))
                && types.isTypedef(w);
    }

    /** type-name: qualifiers, a base (struct/union/enum tag, keywords, typedef), abstract declarator. */
    Type typeName() {
        boolean isConst = false;
        boolean isVolatile = false;
        Type base = null;
        StringBuilder keywords = new StringBuilder();
        while (peek().kind() == Kind.IDENT) {
            String w = peek().text();
            if (QUALIFIERS.contains(w)) {
                pos++;
                if (w.equals("const")) isConst = true;
                if (w.equals("volatile")) isVolatile = true;
            } else if (base == null && keywords.length() == 0 && (w.equals("struct") || w.equals("union") || w.equals("enum"))) {
                pos++;
                String tag = ident();
                String spelling = w + " " + tag;
                base = types.lookup(spelling).orElseThrow(() -> new CommandException(
                        "No " + w + " type named " + tag + "."));
            } else if (base == null && BASE_WORDS.contains(w)) {
                pos++;
                keywords.append(keywords.length() == 0 ? "" : " ").append(w);
            } else if (base == null && keywords.length() == 0) {
                pos++;
                base = types.lookup(w).orElseThrow(() -> new CommandException("No symbol \"" + w + "\" in current context."));
            } else {
                break;
            }
        }
        if (keywords.length() > 0) {
            String k = keywords.toString();
            base = Synthetic.keyword(k).orElseThrow(() -> new CommandException("A syntax error in expression, near `" + k + "'."));
        }
        if (base == null) throw syntaxError();
        if (isVolatile) base = Synthetic.volatileOf(base);
        if (isConst) base = Synthetic.constOf(base);
        return abstractDeclarator(base);
    }

    private Type abstractDeclarator(Type base) {
        Type t = base;
        while (true) {
            if (accept("*")) {
                t = Synthetic.pointer(t);
            } else if (peek().kind() == Kind.IDENT && QUALIFIERS.contains(peek().text())) {
                String q = next().text();
                if (q.equals("const")) t = Synthetic.constOf(t);
            } else {
                break;
            }
        }
        if (peek().is("(") && peek(1).is("*")) {
            // pointer to function or array: (*)(…) / (*)[N]
            pos += 2;
            int stars = 1;
            while (accept("*")) stars++;
            expect(")");
            Type inner;
            if (accept("(")) {
                int depth = 1;
                while (depth > 0) {
                    Token x = next();
                    if (x.kind() == Kind.END) throw syntaxError();
                    if (x.is("(")) depth++;
                    if (x.is(")")) depth--;
                }
                inner = FunctionType.returning(t);
            } else {
                inner = arraySuffix(t);
            }
            for (int i = 0; i < stars; i++) inner = Synthetic.pointer(inner);
            return inner;
        }
        return arraySuffix(t);
    }

    private Type arraySuffix(Type t) {
        java.util.ArrayList<Long> dims = new java.util.ArrayList<>();
        while (accept("[")) {
            long n = -1;
            if (peek().kind() == Kind.NUMBER) n = next().value();
            expect("]");
            dims.add(n);
        }
        for (int i = dims.size() - 1; i >= 0; i--) t = Synthetic.array(t, dims.get(i));
        return t;
    }
}
