package org.kdive.cmd.symbols.expr;

import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.types.CDecl;

/** A function type written in a cast, e.g. {@code (void (*)(void))}; its parameters are not kept. */
record FunctionType(Type target) implements Type {
    static Type returning(Type t) { return new FunctionType(t); }

    @Override public Kind kind() { return Kind.FUNCTION; }
    @Override public String name() { return null; }
    @Override public long size() { return 1; }
    @Override public List<Member> members() { return List.of(); }
    @Override public long count() { return 0; }
    @Override public List<Enumerator> enumerators() { return List.of(); }
    @Override public List<Type> parameters() { return List.of(); }
    @Override public boolean isSigned() { return false; }
    @Override public boolean isFloat() { return false; }
    @Override public boolean isBool() { return false; }
    @Override public boolean isDeclaration() { return false; }
    @Override public String cName() { return CDecl.name(this); }
    @Override public Optional<Member> member(String name) { return Optional.empty(); }
}
