// `Symbol.dispose` (for `using`) where the runtime predates it: the well-known symbol that
// TypeScript's own `using` lowering falls back to, so both agree.
const symbols = Symbol as unknown as { dispose?: symbol };
symbols.dispose ??= Symbol.for('Symbol.dispose');

// The type, for projects whose `lib` predates esnext.disposable (the same declaration that
// lib.esnext.disposable.d.ts and @types/node make, so it merges with theirs).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
