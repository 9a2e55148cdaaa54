package com.example.kdive;

/** Never loaded: the bundle cannot resolve (see bnd.bnd). */
public class Unresolvable {
}
