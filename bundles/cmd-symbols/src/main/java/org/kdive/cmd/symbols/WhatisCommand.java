package org.kdive.cmd.symbols;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.expr.Evaluator;
import org.kdive.cmd.symbols.expr.Parser;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.types.CDecl;
import org.kdive.cmd.symbols.types.OffsetLayout;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code whatis}: the declaration of a symbol, a type's definition, or an expression's type. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=whatis")
public final class WhatisCommand implements Command {
    @Override public String name() { return "whatis"; }

    @Override public String description() { return "declaration of a symbol or definition of a type"; }

    @Override
    public String usage() {
        return """
                whatis - search symbol table for data or type information
                whatis [-o] [struct|union|enum] NAME | SYMBOL | EXPRESSION
                  SYMBOL      prints its declaration (variables and functions)
                  NAME        a struct, union, enum or typedef: its definition and SIZE
                  -o          with each member's offset ("[OFFSET] type member;"), as struct -o
                  EXPRESSION  prints the type of a C expression""";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Session s = context.session();
        boolean offsets = false;
        int i = 0;
        while (i < args.size() && args.get(i).equals("-o")) {
            offsets = true;
            i++;
        }
        if (i >= args.size()) throw new CommandException("usage: whatis [struct|union|enum] NAME | SYMBOL");
        List<String> rest = args.subList(i, args.size());
        String first = rest.get(0);
        SessionEnv env = new SessionEnv(s);
        Map<String, Object> data = new LinkedHashMap<>();
        boolean tagged = first.equals("struct") || first.equals("union") || first.equals("enum");
        if (!tagged && rest.size() == 1) {
            String decl = symbolDeclaration(s, first);
            if (decl != null) {
                data.put("symbol", first);
                data.put("declaration", decl);
                return Result.of(decl + "\n", data);
            }
        }
        String typeText = String.join(" ", rest);
        Type t = tagged ? s.symbols().type(typeText).orElse(null) : null;
        if (t == null && tagged && rest.size() == 2) {
            // crash looks the name up whatever tag was typed ("whatis union rcu_state" shows the struct)
            for (String kw : new String[] {"struct", "union", "enum"}) {
                t = s.symbols().type(kw + " " + rest.get(1)).orElse(null);
                if (t != null) break;
            }
        }
        if (t == null && !tagged) {
            t = Parser.parseType(typeText, env);
        }
        if (t == null && !tagged && rest.size() == 1) {
            // a bare struct/union/enum tag, as crash accepts
            for (String kw : new String[] {"struct", "union", "enum"}) {
                Optional<Type> tt = s.symbols().type(kw + " " + first);
                if (tt.isPresent()) {
                    t = tt.get();
                    break;
                }
            }
        }
        if (t != null) {
            String text = typeDefinition(t, offsets);
            data.put("type", CDecl.name(t));
            data.put("size", t.resolve().size());
            data.put("definition", text);
            return Result.of(text, data);
        }
        if (tagged) throw new CommandException("cannot resolve: " + typeText);
        Value v;
        try {
            v = new Evaluator(env).evaluate(typeText);
        } catch (CommandException e) {
            throw new CommandException("cannot resolve: " + typeText);
        }
        String name = JsonValues.typeName(v);
        data.put("expression", typeText);
        data.put("type", name);
        return Result.of(name + "\n", data);
    }

    /** "int vqb_virtqueue_add(struct vqb_virtqueue *, …);" or "volatile unsigned long jiffies;". */
    static String symbolDeclaration(Session s, String name) {
        String bare = name.contains(":") ? name.substring(name.indexOf(':') + 1) : name;
        Optional<Variable> v = SessionEnv.variable(s, bare);
        if (v.isPresent()) return CDecl.declare(v.get().type(), bare, -1, 0) + ";";
        List<Symbol> syms = s.symbols().byName(name);
        Optional<Type> fn = s.symbols().function(bare);
        if (fn.isPresent()) return CDecl.declare(fn.get(), bare, -1, 0) + ";";
        if (!syms.isEmpty()) {
            return (syms.get(0).isText() ? "<text variable, no debug info> " : "<data variable, no debug info> ") + bare + ";";
        }
        if (!name.contains(":")) {
            // an enumeration constant: crash prints its type and value ("enum system_states = 3")
            Optional<Type> et = s.symbols().enumeratorType(bare);
            java.util.OptionalLong value = et.isPresent() ? et.get().enumeratorValue(bare) : java.util.OptionalLong.empty();
            if (value.isPresent()) {
                String type = CDecl.name(et.get());
                return (type.contains("{") ? "enum (unknown)" : type) + " = " + value.getAsLong();
            }
        }
        return null;
    }

    /** crash's datatype declaration: ptype, typedef wrapper, SIZE line. */
    static String typeDefinition(Type t, boolean offsets) {
        StringBuilder sb = new StringBuilder();
        Type r = t.resolve();
        boolean typedef = t.kind() == Kind.TYPEDEF;
        if (r.kind() == Kind.ENUM) {
            // crash lists enumerators one per line, with their values, and no SIZE
            if (typedef) sb.append("typedef ");
            sb.append(r.name() == null ? "enum {\n" : "enum " + r.name() + " {\n");
            for (Enumerator e : r.enumerators()) sb.append("  ").append(e.name()).append(" = ").append(e.value()).append('\n');
            sb.append(r.name() == null ? "} " + t.name() + ";\n" : "};\n");
            return sb.toString();
        }
        String body = CDecl.ptype(t);
        if (offsets && (r.kind() == Kind.STRUCT || r.kind() == Kind.UNION)) body = OffsetLayout.render(r, body, false, 0).stripTrailing();
        if (typedef) sb.append("typedef ").append(body).append(' ').append(t.name()).append(";\n");
        else if (r.kind() == Kind.STRUCT || r.kind() == Kind.UNION) sb.append(body).append('\n');
        else sb.append(body).append('\n');
        sb.append("SIZE: ").append(r.size()).append('\n');
        return sb.toString();
    }
}
