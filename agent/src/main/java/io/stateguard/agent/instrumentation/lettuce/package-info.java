/**
 * What is woven into Lettuce: one {@link io.stateguard.agent.instrumentation.TypeInstrumentation}
 * per intercepted class (channel writers, connection providers, {@code CommandHandler}), each with its tiny advice
 * classes, and the modules for the Lettuce 5 and 6+ ranges
 * ({@link io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule}). The advice only hands the
 * command over to the Lettuce adapter, {@code io.stateguard.agent.lettuce}, whose classes are defined beside
 * Lettuce with it ({@link io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule#HELPER_CLASSES}).
 */
package io.stateguard.agent.instrumentation.lettuce;
