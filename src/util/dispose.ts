// `Symbol.dispose` (for `using`) where the runtime predates it: the well-known symbol that
// TypeScript's own `using` lowering falls back to, so both agree.
const symbols = Symbol as unknown as { dispose?: symbol };
symbols.dispose ??= Symbol.for('Symbol.dispose');
