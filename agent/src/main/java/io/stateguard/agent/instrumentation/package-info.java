/**
 * The bytecode side, independent of any library: {@link
 * io.stateguard.agent.instrumentation.InstrumentationModule}s of {@link
 * io.stateguard.agent.instrumentation.TypeInstrumentation}s chosen per class loader by the classes it has
 * ({@link io.stateguard.agent.instrumentation.ModuleSelector}, {@link io.stateguard.agent.instrumentation.Shapes}),
 * advice calls checked against their targets ({@link io.stateguard.agent.instrumentation.AdviceFit}) and woven with
 * ASM ({@link io.stateguard.agent.instrumentation.AdviceWeaver}), helper classes defined beside the library
 * ({@link io.stateguard.agent.instrumentation.HelperInjector}). Classes are read as class files, never loaded.
 */
package io.stateguard.agent.instrumentation;
